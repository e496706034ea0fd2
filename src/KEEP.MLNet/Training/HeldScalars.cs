using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>
/// Tensor operations with a number argument, the number held as a <see cref="Scalar"/> for the whole native call.
/// TorchSharp turns a .NET number into a temporary <see cref="Scalar"/> and passes only its handle to libtorch,
/// so the garbage collector may finalize (free) it while libtorch still reads it: measured here as
/// "INTERNAL ASSERT FAILED at Scalar.h", "Expected false to be true … toFloat" and a segmentation fault of the
/// test host, more often the more a step allocates. Every number a training or inference step passes to
/// libtorch goes through these.
/// </summary>
internal static class HeldScalars
{
    /// <summary>
    /// The 1 that TorchSharp's tensor + tensor passes as alpha (<c>add(target)</c> is <c>add(target, 1)</c> with a temporary
    /// Scalar; its tensor − tensor passes none): held by this field for the life of the process, so it is never finalized mid-call.
    /// </summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="x"/> + <paramref name="other"/> (use instead of the + operator, whose alpha is a temporary Scalar).</summary>
    public static Tensor Plus(this Tensor x, Tensor other) => x.add(other, One);

    /// <summary><paramref name="x"/> + <paramref name="value"/> (a number).</summary>
    public static Tensor PlusValue(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.add(s, One); // TorchSharp's add(Scalar) passes its alpha as a temporary Scalar
    }

    /// <summary>0, 1, …, <paramref name="count"/> − 1 as Int64.</summary>
    public static Tensor Range(long count)
    {
        using var stop = count.ToScalar();
        return arange(stop, ScalarType.Int64);
    }

    /// <summary><paramref name="start"/>, <paramref name="start"/> + <paramref name="step"/>, … below <paramref name="stop"/>, as Int64.</summary>
    public static Tensor Range(long start, long stop, long step)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        using var by = step.ToScalar();
        return arange(from, to, by, ScalarType.Int64);
    }

    /// <summary>In place: <paramref name="x"/> += <paramref name="other"/>.</summary>
    public static Tensor PlusInPlace(this Tensor x, Tensor other) => x.add_(other, One);

    /// <summary><paramref name="x"/> · <paramref name="value"/>.</summary>
    public static Tensor Times(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.mul(s);
    }

    /// <summary>In place: <paramref name="x"/> ·= <paramref name="value"/>.</summary>
    public static Tensor TimesInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.mul_(s);
    }

    /// <summary>In place: <paramref name="x"/> += <paramref name="value"/>.</summary>
    public static Tensor PlusInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.add_(s, One); // TorchSharp's add_(Scalar) passes its alpha as a temporary Scalar
    }

    /// <summary>In place: <paramref name="x"/> += <paramref name="alpha"/> · <paramref name="other"/>.</summary>
    public static Tensor AddScaledInPlace(this Tensor x, Tensor other, double alpha)
    {
        using var s = alpha.ToScalar();
        return x.add_(other, s);
    }

    /// <summary>In place: <paramref name="x"/> += <paramref name="value"/> · <paramref name="a"/> ⊙ <paramref name="b"/>.</summary>
    public static Tensor AddProductInPlace(this Tensor x, Tensor a, Tensor b, double value)
    {
        using var s = value.ToScalar();
        return x.addcmul_(a, b, s);
    }

    /// <summary>In place: <paramref name="x"/> += <paramref name="value"/> · <paramref name="a"/> / <paramref name="b"/>.</summary>
    public static Tensor AddQuotientInPlace(this Tensor x, Tensor a, Tensor b, double value)
    {
        using var s = value.ToScalar();
        return x.addcdiv_(a, b, s);
    }

    /// <summary>In place: <paramref name="x"/> /= <paramref name="value"/>.</summary>
    public static Tensor DividedInPlace(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.div_(s);
    }

    /// <summary><paramref name="x"/> / <paramref name="value"/>.</summary>
    public static Tensor DividedBy(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.div(s);
    }

    /// <summary>1 where <paramref name="x"/> ≠ <paramref name="value"/>.</summary>
    public static Tensor NotEqual(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.ne(s);
    }

    /// <summary>1 where <paramref name="x"/> = <paramref name="value"/>.</summary>
    public static Tensor Equal(this Tensor x, long value)
    {
        using var s = value.ToScalar();
        return x.eq(s);
    }

    /// <summary>min(<paramref name="x"/>, <paramref name="value"/>).</summary>
    public static Tensor AtMost(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.clamp_max(s);
    }

    /// <summary>max(<paramref name="x"/>, <paramref name="value"/>).</summary>
    public static Tensor AtLeast(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.clamp_min(s);
    }

    /// <summary><paramref name="x"/> ^ <paramref name="value"/>.</summary>
    public static Tensor Power(this Tensor x, double value)
    {
        using var s = value.ToScalar();
        return x.pow(s);
    }

    /// <summary>Leaky ReLU of <paramref name="x"/> with slope <paramref name="slope"/> below 0.</summary>
    public static Tensor LeakyRelu(this Tensor x, double slope)
    {
        using var s = slope.ToScalar();
        return x.leaky_relu(s);
    }

    /// <summary><paramref name="x"/> with <paramref name="value"/> where <paramref name="mask"/> is set.</summary>
    public static Tensor FilledWhere(this Tensor x, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return x.masked_fill(mask, s);
    }

    /// <summary><paramref name="x"/> with the rows of <paramref name="source"/> added at <paramref name="index"/> along dimension 0.</summary>
    public static Tensor RowsAdded(this Tensor x, Tensor index, Tensor source)
    {
        using var one = 1.ToScalar();
        return x.index_add(0, index, source, one);
    }

    /// <summary>In place: the rows of <paramref name="source"/> added to <paramref name="x"/> at <paramref name="index"/> along dimension 0.</summary>
    public static Tensor RowsAddedInPlace(this Tensor x, Tensor index, Tensor source)
    {
        using var one = 1.ToScalar();
        return x.index_add_(0, index, source, one);
    }
}
