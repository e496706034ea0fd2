using System.Diagnostics;
using System.Reflection;
using KEEP.MLNet.Build;
using Microsoft.Build.Framework;

namespace KEEP.MLNet.Tests.Build;

[TestClass]
public sealed class LibTorchSharpPatchTests
{
    private static string NuGetCopy()
    {
        string root = typeof(LibTorchSharpPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        return Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private static string OutputCopy()
        => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool SystemNeedsPatch()
    {
        string? libstdcxx = LibTorchSharpPatcher.FindSystemLibStdCxx();
        return libstdcxx == null || !LibTorchSharpPatcher.Provides(libstdcxx);
    }

    [TestMethod]
    public void Build_output_copy_is_weak_exactly_when_the_system_lacks_the_version()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The patch applies to Linux only.");
        var need = ElfVersions.ReadNeeds(File.ReadAllBytes(OutputCopy()))
            .Single(n => n.Version == LibTorchSharpPatcher.RequiredVersion);
        Assert.AreEqual("libstdc++.so.6", need.File);
        Assert.AreEqual(SystemNeedsPatch(), need.IsWeak);
    }

    [TestMethod]
    public void NuGet_cache_copy_is_left_untouched()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The patch applies to Linux only.");
        var needs = ElfVersions.ReadNeeds(File.ReadAllBytes(NuGetCopy()));
        Assert.IsFalse(needs.Single(n => n.Version == LibTorchSharpPatcher.RequiredVersion).IsWeak);
        Assert.IsTrue(needs.All(n => !n.IsWeak), "the shipped library has no weak requirement");
    }

    [TestMethod]
    public void Patch_flips_one_bit_and_is_idempotent()
    {
        string dir = TempDir();
        string copy = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(NuGetCopy(), copy);
        byte[] before = File.ReadAllBytes(copy);

        Assert.IsTrue(LibTorchSharpPatcher.Patch(copy));
        byte[] after = File.ReadAllBytes(copy);
        Assert.IsFalse(LibTorchSharpPatcher.Patch(copy), "second run changes nothing");
        CollectionAssert.AreEqual(after, File.ReadAllBytes(copy));

        var diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.HasCount(1, diffs);
        Assert.AreEqual(ElfVersions.VerFlagWeak, (ushort)(before[diffs[0]] ^ after[diffs[0]]));
        var needs = ElfVersions.ReadNeeds(after);
        Assert.IsTrue(needs.Single(n => n.Version == LibTorchSharpPatcher.RequiredVersion).IsWeak);
        Assert.AreEqual(1, needs.Count(n => n.IsWeak), "no other requirement is weakened");
        AssertReadElfAgrees(copy);
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void Patch_replaces_a_hard_link_instead_of_writing_through_it()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Hard links via ln.");
        string dir = TempDir();
        string original = Path.Combine(dir, "cache.so");
        string linked = Path.Combine(dir, "libLibTorchSharp.so");
        File.Copy(NuGetCopy(), original);
        Run("ln", $"\"{original}\" \"{linked}\"");

        Assert.IsTrue(LibTorchSharpPatcher.Patch(linked));
        CollectionAssert.AreEqual(File.ReadAllBytes(NuGetCopy()), File.ReadAllBytes(original));
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void Task_patches_a_folder_when_told_the_libstdcxx_lacks_the_version()
    {
        string dir = TempDir();
        string nested = Directory.CreateDirectory(Path.Combine(dir, "runtimes", "linux-x64", "native")).FullName;
        File.Copy(NuGetCopy(), Path.Combine(nested, "libLibTorchSharp.so"));
        string? systemLib = LibTorchSharpPatcher.FindSystemLibStdCxx();
        if (systemLib == null || LibTorchSharpPatcher.Provides(systemLib))
            Assert.Inconclusive("This system's libstdc++ already provides the version.");

        var task = new PatchLibTorchSharp { Directory = dir, LibStdCxxPath = systemLib, BuildEngine = new SilentBuildEngine() };
        Assert.IsTrue(task.Execute());
        Assert.IsTrue(ElfVersions.ReadNeeds(File.ReadAllBytes(Path.Combine(nested, "libLibTorchSharp.so")))
            .Single(n => n.Version == LibTorchSharpPatcher.RequiredVersion).IsWeak);
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void Version_definitions_of_the_system_libstdcxx_match_readelf()
    {
        string? lib = LibTorchSharpPatcher.FindSystemLibStdCxx();
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The ELF patch applies to Linux only.");
        Assert.IsNotNull(lib, "no system libstdc++ found");
        RequireReadElf();
        var ours = ElfVersions.ReadDefinitions(File.ReadAllBytes(lib)).Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal)).ToHashSet();
        var theirs = Run("readelf", $"-V \"{lib}\"").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Contains("Name: GLIBCXX_", StringComparison.Ordinal) && l.Contains("Flags", StringComparison.Ordinal) && !l.Contains("Parent", StringComparison.Ordinal))
            .Select(l => l.Split("Name: ")[1].Split(' ')[0]).ToHashSet();
        Assert.IsGreaterThan(10, ours.Count);
        Assert.IsTrue(theirs.SetEquals(ours), $"ours: {string.Join(',', ours)}; readelf: {string.Join(',', theirs)}");
    }

    [TestMethod]
    public void Non_elf_input_is_rejected_with_a_clear_message()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersions.ReadNeeds(new byte[100]));
        StringAssert.Contains(ex.Message, "Not an ELF file");
    }

    private static void AssertReadElfAgrees(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        RequireReadElf();
        string line = Run("readelf", $"-V \"{path}\"").Split('\n').Single(l => l.Contains("Name: " + LibTorchSharpPatcher.RequiredVersion, StringComparison.Ordinal));
        StringAssert.Contains(line, "Flags: WEAK");
    }

    /// <summary>The cross-check is the point of these tests: without readelf they fail (.ci/run installs binutils), never pass silently.</summary>
    private static void RequireReadElf()
        => Assert.IsTrue(File.Exists("/usr/bin/readelf"), "readelf is needed to cross-check the ELF patch (Debian: apt-get install binutils; .ci/run installs it)");

    private static string TempDir() => Directory.CreateTempSubdirectory("keep-elf-").FullName;

    private static string Run(string file, string args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{file} {args}");
        return output;
    }

    private sealed class SilentBuildEngine : IBuildEngine
    {
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "";
        public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties, System.Collections.IDictionary targetOutputs) => true;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) { }
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
