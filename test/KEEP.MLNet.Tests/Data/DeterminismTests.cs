using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class DeterminismTests
{
    private static readonly WorldOptions Small = WorldOptions.Preset("shared-click-tiny") with { Users = 200, SuperImpressions = 8_000, SubImpressions = 2_000, RowGroupSize = 1_000 };

    [TestMethod]
    public void Same_seed_gives_byte_identical_files()
    {
        var a = DatasetGenerator.Generate(Small, TestWorlds.TempFolder("det-a"), DatasetFormat.Parquet | DatasetFormat.Csv);
        var b = DatasetGenerator.Generate(Small, TestWorlds.TempFolder("det-b"), DatasetFormat.Parquet | DatasetFormat.Csv);
        foreach (string name in new[] { "super.parquet", "sub_train.parquet", "sub_test.parquet", "super.csv", "sub_test.csv", "world.json" })
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a.Directory, name)), File.ReadAllBytes(Path.Combine(b.Directory, name)), name);
    }

    [TestMethod]
    public void A_different_seed_gives_a_different_world()
    {
        var a = DatasetGenerator.Generate(Small, TestWorlds.TempFolder("seed-a"));
        var b = DatasetGenerator.Generate(Small with { Seed = 7 }, TestWorlds.TempFolder("seed-b"));
        CollectionAssert.AreNotEqual(File.ReadAllBytes(a.Files[DatasetSplit.Super]), File.ReadAllBytes(b.Files[DatasetSplit.Super]));
    }

    [TestMethod]
    public void Random_streams_are_fixed_by_the_seed()
    {
        var first = new SeededRandom(123);
        var second = new SeededRandom(123);
        var other = new SeededRandom(123, stream: 1);
        var a = Enumerable.Range(0, 100).Select(_ => first.NextUInt64()).ToArray();
        CollectionAssert.AreEqual(a, Enumerable.Range(0, 100).Select(_ => second.NextUInt64()).ToArray());
        CollectionAssert.AreNotEqual(a, Enumerable.Range(0, 100).Select(_ => other.NextUInt64()).ToArray());
    }

    [TestMethod]
    public void Alias_sampler_matches_its_weights_and_never_draws_a_zero_weight()
    {
        var weights = new double[] { 0, 1, 2, 3, 0, 4 };
        var sampler = new AliasSampler(weights);
        var random = new SeededRandom(5);
        var counts = new int[weights.Length];
        const int draws = 200_000;
        for (int i = 0; i < draws; i++) counts[sampler.Sample(random)]++;
        Assert.AreEqual(0, counts[0]);
        Assert.AreEqual(0, counts[4]);
        for (int i = 0; i < weights.Length; i++)
            Assert.AreEqual(weights[i] / 10, (double)counts[i] / draws, 0.01, $"outcome {i}");
    }
}
