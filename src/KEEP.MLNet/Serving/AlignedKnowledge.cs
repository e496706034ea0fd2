using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Serving;

/// <summary>
/// A newer knowledge version served in an older version's coordinates, so that a downstream model trained against the
/// older one can read the newer one (the "version inconsistency" of paper §5.3, which the General Knowledge Center
/// meets by caching up to five versions). The map is affine, K_old ≈ [K_new, 1]·W, fitted by ridge-regularised least
/// squares on rows both versions compute (recent traffic, no labels needed) when the newer version is published; serving
/// costs one [Width + 1] × Width product per row. Fitted on a version against itself the map is the identity (up to the
/// ridge term), so it costs nothing while versions match.
/// </summary>
public sealed class AlignedKnowledge : IKnowledgeSource
{
    private readonly float[] _map;

    private AlignedKnowledge(IKnowledgeSource newer, float[] map, long rows)
    {
        Newer = newer;
        _map = map;
        FittedRows = rows;
    }

    /// <summary>The newer version whose knowledge is mapped.</summary>
    public IKnowledgeSource Newer { get; }

    /// <inheritdoc/>
    public int Width => Newer.Width;

    /// <summary>Rows the map was fitted on.</summary>
    public long FittedRows { get; }

    /// <summary>The map W, row-major [(Width + 1) × Width]: row j &lt; Width multiplies the newer knowledge's j-th value, the last row is the bias.</summary>
    public float[] Map => (float[])_map.Clone();

    /// <summary>
    /// Fits the map from <paramref name="newer"/> to <paramref name="older"/> on up to <paramref name="maxRows"/> rows of
    /// <paramref name="rows"/>. <paramref name="ridge"/> is relative: λ = ridge · mean diagonal of XᵀX, added to the
    /// weights' diagonal (not the bias').
    /// </summary>
    /// <exception cref="ArgumentException">The widths differ, or there are fewer rows than Width + 1.</exception>
    public static AlignedKnowledge Fit(IKnowledgeSource newer, IKnowledgeSource older, IEnumerable<ImpressionBatch> rows, long maxRows = 100_000, double ridge = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(rows);
        if (newer.Width != older.Width) throw new ArgumentException($"The newer knowledge is {newer.Width} wide and the older {older.Width}; a version can only be aligned to one of the same width.", nameof(newer));
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), "maxRows must be positive.");
        if (ridge < 0) throw new ArgumentOutOfRangeException(nameof(ridge), "ridge must not be negative.");
        int w = newer.Width;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var xtx = zeros([w + 1, w + 1], ScalarType.Float64);
        var xty = zeros([w + 1, w], ScalarType.Float64);
        long seen = 0;
        foreach (var batch in rows)
        {
            if (seen >= maxRows) break;
            var part = batch.Count > maxRows - seen ? batch.Slice(0, (int)(maxRows - seen)) : batch;
            if (part.Count == 0) continue;
            var x = cat([tensor(newer.Compute(part), [part.Count, w]).to_type(ScalarType.Float64), ones([part.Count, 1], ScalarType.Float64)], 1);
            var y = tensor(older.Compute(part), [part.Count, w]).to_type(ScalarType.Float64);
            xtx.PlusInPlace(x.t().matmul(x));
            xty.PlusInPlace(x.t().matmul(y));
            seen += part.Count;
        }
        if (seen < w + 1) throw new ArgumentException($"Aligning {w}-wide knowledge needs at least {w + 1} rows; got {seen}.", nameof(rows));
        double lambda = ridge * xtx.diagonal().narrow(0, 0, w).mean().item<double>();
        var penalty = cat([ones(w, ScalarType.Float64).Times(lambda), zeros(1, ScalarType.Float64)]).diag();
        var map = linalg.solve(xtx.Plus(penalty), xty).to_type(ScalarType.Float32).contiguous();
        return new AlignedKnowledge(newer, map.data<float>().ToArray(), seen);
    }

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int w = Width;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var map = tensor(_map, [w + 1, w]);
        var mapped = addmm(map[w].unsqueeze(0), tensor(Newer.Compute(rows), [rows.Count, w]), map.narrow(0, 0, w), beta: 1, alpha: 1);
        return mapped.contiguous().data<float>().ToArray();
    }
}
