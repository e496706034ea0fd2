using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class WorldFolderTests
{
    [TestMethod]
    public void A_folder_is_reused_for_its_own_world_and_refused_for_a_world_with_other_options()
    {
        string folder = TestWorlds.TempFolder("world-folder");
        var world = WorldOptions.Preset("shared-click-tiny") with { Users = 150, SuperImpressions = 3_000, SubImpressions = 1_000 };
        var messages = new List<string>();
        var files = WorldFolder.Files(world, folder, messages.Add);
        var written = files.Values.Select(File.GetLastWriteTimeUtc).ToArray();
        Assert.HasCount(1, messages, "generated once");

        var again = WorldFolder.Files(world, folder, messages.Add);
        CollectionAssert.AreEqual(written, again.Values.Select(File.GetLastWriteTimeUtc).ToArray(), "the same world is reused, not generated again");
        Assert.HasCount(1, messages);

        var error = Assert.ThrowsExactly<ArgumentException>(() => WorldFolder.Files(world with { TestTrafficScale = 2, Seed = 7 }, folder, messages.Add));
        StringAssert.Contains(error.Message, "Seed: 42 → 7");
        StringAssert.Contains(error.Message, "TestTrafficScale: 1 → 2");
        CollectionAssert.AreEqual(written, files.Values.Select(File.GetLastWriteTimeUtc).ToArray(), "the other world's files are left as they were");
    }
}
