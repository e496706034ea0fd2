using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Serving;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class AlignedKnowledgeTests
{
    /// <summary>Knowledge that is a fixed random function of each row's user and item (a stand-in for a version's network).</summary>
    private sealed class HashedKnowledge(int width, int seed) : IKnowledgeSource
    {
        public int Width => width;

        public float[] Compute(ImpressionBatch rows)
        {
            var result = new float[rows.Count * width];
            for (int r = 0; r < rows.Count; r++)
            {
                var random = new Random(HashCode.Combine(seed, rows.UserId[r], rows.ItemId[r]));
                for (int j = 0; j < width; j++) result[r * width + j] = (float)(random.NextDouble() * 2 - 1);
            }
            return result;
        }
    }

    /// <summary>An affine function of another source, computed independently of the class under test: x·A + c.</summary>
    private sealed class AffineKnowledge(IKnowledgeSource inner, float[,] a, float[] c) : IKnowledgeSource
    {
        public int Width => inner.Width;

        public float[] Compute(ImpressionBatch rows)
        {
            var x = inner.Compute(rows);
            int w = Width;
            var y = new float[x.Length];
            for (int r = 0; r < rows.Count; r++)
                for (int j = 0; j < w; j++)
                {
                    double sum = c[j];
                    for (int i = 0; i < w; i++) sum += x[r * w + i] * a[i, j];
                    y[r * w + j] = (float)sum;
                }
            return y;
        }
    }

    private static List<ImpressionBatch> Rows() => [.. ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain])];

    [TestMethod]
    public void An_older_version_that_is_an_affine_function_of_the_newer_is_recovered_exactly()
    {
        const int w = 6;
        var random = new Random(3);
        var a = new float[w, w];
        var c = new float[w];
        for (int i = 0; i < w; i++)
        {
            c[i] = (float)random.NextDouble();
            for (int j = 0; j < w; j++) a[i, j] = (float)(random.NextDouble() * 2 - 1);
        }
        var newer = new HashedKnowledge(w, seed: 1);
        var older = new AffineKnowledge(newer, a, c);
        var aligned = AlignedKnowledge.Fit(newer, older, Rows(), maxRows: 2_000, ridge: 0);
        Assert.AreEqual(2_000, aligned.FittedRows);
        var map = aligned.Map;
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++) Assert.AreEqual(a[i, j], map[i * w + j], 1e-4, $"W[{i},{j}]");
        for (int j = 0; j < w; j++) Assert.AreEqual(c[j], map[w * w + j], 1e-4, $"bias {j}");
        // Held-out rows (the test days'): the aligned newer version computes the older one.
        var heldOut = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var expected = older.Compute(heldOut);
        var actual = aligned.Compute(heldOut);
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], actual[k], 1e-4);
    }

    [TestMethod]
    public void A_version_aligned_to_itself_is_served_unchanged_and_unrelated_versions_keep_only_the_mean()
    {
        var version = new HashedKnowledge(8, seed: 1);
        var self = AlignedKnowledge.Fit(version, version, Rows());
        var batch = Rows()[0];
        var original = version.Compute(batch);
        var served = self.Compute(batch);
        for (int k = 0; k < original.Length; k++) Assert.AreEqual(original[k], served[k], 1e-3);

        // Knowledge that says nothing about the older version: the least-squares map predicts (about) the older one's mean.
        var unrelated = AlignedKnowledge.Fit(new HashedKnowledge(8, seed: 2), version, Rows());
        var mapped = unrelated.Compute(batch);
        double spread = mapped.Select(v => (double)v * v).Average(), originalSpread = original.Select(v => (double)v * v).Average();
        Assert.IsTrue(spread < 0.05 * originalSpread, $"mean square {spread:F4} against the original's {originalSpread:F4}");
    }

    [TestMethod]
    public void Versions_of_different_widths_or_too_few_rows_are_refused_by_name()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => AlignedKnowledge.Fit(new HashedKnowledge(4, 1), new HashedKnowledge(5, 1), Rows()));
        StringAssert.Contains(e.Message, "4 wide and the older 5");
        e = Assert.ThrowsExactly<ArgumentException>(() => AlignedKnowledge.Fit(new HashedKnowledge(4, 1), new HashedKnowledge(4, 2), Rows(), maxRows: 3));
        StringAssert.Contains(e.Message, "at least 5 rows; got 3");
    }
}
