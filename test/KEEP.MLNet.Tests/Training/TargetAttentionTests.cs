using KEEP.MLNet.Layers;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

[TestClass]
public sealed class TargetAttentionTests
{
    [TestMethod]
    [DataRow(48, 50, 64)]
    [DataRow(16, 7, 33)]
    public void Factored_attention_computes_the_concatenated_formulation_and_its_gradients(int dim, int length, int rows)
    {
        // Weights under the seeding lock and inputs from a generator of the test's own: tests run in parallel.
        using var attention = SeededInitialisation.Create(5, () => new TargetAttention(dim, [80, 40]));
        using var scope = NewDisposeScope();
        var generator = new Generator().manual_seed(5);
        var query = randn(rows, dim, generator: generator).requires_grad_(true);
        var keys = randn(rows, length, dim, generator: generator).requires_grad_(true);
        var mask = (rand(rows, length, generator: generator) > 0.3).to_type(ScalarType.Float32);

        var fast = attention.Pool(query, keys, mask);
        var fastGradients = Gradients(attention, fast, query, keys);
        var naive = NaiveTargetAttention.Pool(attention, query, keys, mask);
        var naiveGradients = Gradients(attention, naive, query, keys);

        Assert.AreEqual(0.0, (fast - naive).abs().max().item<float>(), 1e-5, "forward");
        Assert.AreEqual(naiveGradients.Count, fastGradients.Count);
        for (int i = 0; i < naiveGradients.Count; i++)
        {
            double scale = Math.Max(1, naiveGradients[i].abs().max().item<float>());
            Assert.AreEqual(0.0, (fastGradients[i] - naiveGradients[i]).abs().max().item<float>() / scale, 1e-4, $"gradient {i}");
        }
    }

    [TestMethod]
    public void Attention_over_distinct_behaviours_computes_the_concatenated_formulation_and_its_gradients()
    {
        const int dim = 48, length = 20, rows = 40, distinct = 30;
        using var attention = SeededInitialisation.Create(6, () => new TargetAttention(dim, [80, 40]));
        using var scope = NewDisposeScope();
        var generator = new Generator().manual_seed(6);
        var query = randn(rows, dim, generator: generator).requires_grad_(true);
        var table = randn(distinct, dim, generator: generator).requires_grad_(true);
        var slots = randint(0, distinct, [rows, length], dtype: ScalarType.Int64, generator: generator);
        var mask = slots.ne(0).to_type(ScalarType.Float32);

        var fast = attention.Pool(query, table, slots, mask);
        var fastGradients = Gradients(attention, fast, query, table);
        var keys = table.index_select(0, slots.flatten()).view(rows, length, dim);
        var naive = NaiveTargetAttention.Pool(attention, query, keys, mask);
        var naiveGradients = Gradients(attention, naive, query, table);

        Assert.AreEqual(0.0, (fast - naive).abs().max().item<float>(), 1e-5, "forward");
        for (int i = 0; i < naiveGradients.Count; i++)
        {
            double scale = Math.Max(1, naiveGradients[i].abs().max().item<float>());
            Assert.AreEqual(0.0, (fastGradients[i] - naiveGradients[i]).abs().max().item<float>() / scale, 1e-4, $"gradient {i}");
        }
    }

    [TestMethod]
    public void Attention_over_the_real_slots_only_computes_the_masked_concatenated_formulation_and_its_gradients()
    {
        const int dim = 48, length = 20, rows = 40, distinct = 30;
        using var attention = SeededInitialisation.Create(7, () => new TargetAttention(dim, [80, 40]));
        using var scope = NewDisposeScope();
        var generator = new Generator().manual_seed(7);
        var query = randn(rows, dim, generator: generator).requires_grad_(true);
        var table = randn(distinct, dim, generator: generator).requires_grad_(true);
        // Index 0 is padding; the last row has no real behaviour at all.
        var slots = randint(0, distinct, [rows, length], dtype: ScalarType.Int64, generator: generator) * (rand(rows, length, generator: generator) > 0.4).to_type(ScalarType.Int64);
        slots[rows - 1] = zeros(length, ScalarType.Int64);
        var mask = slots.ne(0).to_type(ScalarType.Float32);
        var real = mask.flatten().nonzero().squeeze(1);

        var fast = attention.PoolReal(query, table, real.div(length, rounding_mode: RoundingMode.floor), slots.flatten().index_select(0, real));
        var fastGradients = Gradients(attention, fast, query, table);
        var keys = table.index_select(0, slots.flatten()).view(rows, length, dim);
        var naive = NaiveTargetAttention.Pool(attention, query, keys, mask);
        var naiveGradients = Gradients(attention, naive, query, table);

        CollectionAssert.AreEqual(new long[] { rows, dim }, fast.shape);
        Assert.AreEqual(0.0, fast[rows - 1].abs().max().item<float>(), "a row without behaviours pools to zero");
        Assert.AreEqual(0.0, (fast - naive).abs().max().item<float>(), 1e-5, "forward");
        for (int i = 0; i < naiveGradients.Count; i++)
        {
            double scale = Math.Max(1, naiveGradients[i].abs().max().item<float>());
            Assert.AreEqual(0.0, (fastGradients[i] - naiveGradients[i]).abs().max().item<float>() / scale, 1e-4, $"gradient {i}");
        }
    }

    /// <summary>Gradients of a fixed random projection of the output with respect to the inputs and every parameter.</summary>
    private static List<Tensor> Gradients(TargetAttention attention, Tensor output, Tensor query, Tensor keys)
    {
        var generator = new Generator().manual_seed(9);
        var projection = randn(output.shape, generator: generator);
        var wrt = new List<Tensor> { query, keys };
        wrt.AddRange(attention.parameters());
        var gradients = autograd.grad([(output * projection).sum()], wrt, retain_graph: false);
        return [.. gradients.Select(g => g.detach().clone())];
    }
}
