// Makes TorchSharp's native bridge loadable on Linux systems whose libstdc++ is older than GCC 13.
//
// libLibTorchSharp.so (TorchSharp 0.107) lists GLIBCXX_3.4.32 in its version needs for one symbol,
// _ZSt21ios_base_library_initv, that no relocation uses. The dynamic loader refuses the library when the
// system libstdc++ does not define that version (Debian 12 ships GLIBCXX_3.4.30). Marking that one
// requirement VER_FLG_WEAK turns the hard failure into a tolerated absence, which is exactly right for
// an unused symbol.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (see KEEP.MLNet.targets), where it runs
// after native assets are copied to an output folder, and into the test project, which checks it.
// It therefore depends on nothing but the BCL and MSBuild's task API, and compiles for netstandard2.0.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace KEEP.MLNet.Build;

/// <summary>One version requirement (an Elf64_Vernaux entry) of a shared object.</summary>
public sealed class ElfVersionNeed
{
    /// <summary>Creates a requirement record.</summary>
    public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
    {
        File = file;
        Version = version;
        Flags = flags;
        FlagsOffset = flagsOffset;
    }

    /// <summary>The library that must provide the version, e.g. libstdc++.so.6.</summary>
    public string File { get; }

    /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
    public string Version { get; }

    /// <summary>The vna_flags field.</summary>
    public ushort Flags { get; }

    /// <summary>Byte offset of vna_flags in the file.</summary>
    public long FlagsOffset { get; }

    /// <summary>True when the loader tolerates the version being absent.</summary>
    public bool IsWeak => (Flags & ElfVersions.VerFlagWeak) != 0;
}

/// <summary>Reads and edits the GNU symbol-versioning sections of a 64-bit little-endian ELF file.</summary>
public static class ElfVersions
{
    /// <summary>VER_FLG_WEAK: the requirement is optional.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Lists every version requirement (.gnu.version_r) of an ELF image.</summary>
    public static List<ElfVersionNeed> ReadNeeds(byte[] elf)
    {
        var result = new List<ElfVersionNeed>();
        foreach (var (offset, count, strtab) in Sections(elf, ShtGnuVerneed))
        {
            long need = offset;
            for (int n = 0; n < count; n++)
            {
                ushort auxCount = U16(elf, need + 2);
                string file = CString(elf, strtab + U32(elf, need + 4));
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = CString(elf, strtab + U32(elf, aux + 8));
                    result.Add(new ElfVersionNeed(file, name, U16(elf, aux + 4), aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>Lists every version a shared object defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
    public static List<string> ReadDefinitions(byte[] elf)
    {
        var result = new List<string>();
        foreach (var (offset, count, strtab) in Sections(elf, ShtGnuVerdef))
        {
            long def = offset;
            for (int d = 0; d < count; d++)
            {
                long aux = def + U32(elf, def + 12);
                result.Add(CString(elf, strtab + U32(elf, aux)));
                uint next = U32(elf, def + 16);
                if (next == 0) break;
                def += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> in <paramref name="elf"/>.
    /// Returns true when the image changed; false when the requirement is absent or already weak.
    /// </summary>
    public static bool MarkWeak(byte[] elf, string version)
    {
        bool changed = false;
        foreach (var need in ReadNeeds(elf))
        {
            if (need.Version != version || need.IsWeak) continue;
            ushort flags = (ushort)(need.Flags | VerFlagWeak);
            elf[need.FlagsOffset] = (byte)flags;
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            changed = true;
        }
        return changed;
    }

    private static IEnumerable<(long Offset, uint Count, long StrTab)> Sections(byte[] elf, uint type)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A);
        int shnum = U16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (U32(elf, sh + 4) != type) continue;
            uint link = U32(elf, sh + 40);
            long strtab = (long)U64(elf, shoff + (long)link * shentsize + 24);
            yield return ((long)U64(elf, sh + 24), U32(elf, sh + 44), strtab);
        }
    }

    private static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);

    private static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

    private static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

    private static string CString(byte[] b, long o)
    {
        long end = o;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
    }
}

/// <summary>Decides whether a copied libLibTorchSharp.so needs the patch, and applies it safely.</summary>
public static class LibTorchSharpPatcher
{
    /// <summary>The libstdc++ version TorchSharp 0.107 asks for but does not use.</summary>
    public const string RequiredVersion = "GLIBCXX_3.4.32";

    /// <summary>Where Linux distributions keep the system libstdc++.</summary>
    public static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    /// <summary>Finds the system libstdc++, or null.</summary>
    public static string? FindSystemLibStdCxx()
    {
        foreach (string path in LibStdCxxCandidates)
            if (File.Exists(path)) return path;
        return null;
    }

    /// <summary>True when the given libstdc++ defines <see cref="RequiredVersion"/>.</summary>
    public static bool Provides(string libStdCxxPath, string version = RequiredVersion)
        => ElfVersions.ReadDefinitions(File.ReadAllBytes(libStdCxxPath)).Contains(version);

    /// <summary>
    /// Marks the requirement weak in <paramref name="libraryPath"/>. The file is rewritten through a
    /// temporary file and a rename, so a hard link into the NuGet cache is replaced, never edited.
    /// Returns true when the file changed (false: already patched, or nothing to patch).
    /// </summary>
    public static bool Patch(string libraryPath)
    {
        byte[] image = File.ReadAllBytes(libraryPath);
        if (!ElfVersions.MarkWeak(image, RequiredVersion)) return false;
        string temp = libraryPath + ".keep-patch.tmp";
        File.WriteAllBytes(temp, image);
        File.Replace(temp, libraryPath, destinationBackupFileName: null);
        return true;
    }
}

/// <summary>MSBuild task: patches every libLibTorchSharp.so under <see cref="Directory"/> when needed.</summary>
public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    /// <summary>The output folder (build output or publish folder) to look in.</summary>
    [Required]
    public string Directory { get; set; } = "";

    /// <summary>Optional explicit libstdc++ to test instead of the system one.</summary>
    public string LibStdCxxPath { get; set; } = "";

    /// <summary>Runs the task.</summary>
    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        string[] libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libraries.Length == 0) return true;

        string? libstdcxx = string.IsNullOrEmpty(LibStdCxxPath) ? LibTorchSharpPatcher.FindSystemLibStdCxx() : LibStdCxxPath;
        if (libstdcxx != null && LibTorchSharpPatcher.Provides(libstdcxx))
        {
            Log.LogMessage(MessageImportance.Low, $"KEEP: {libstdcxx} provides {LibTorchSharpPatcher.RequiredVersion}; TorchSharp needs no patch.");
            return true;
        }
        foreach (string library in libraries)
        {
            if (LibTorchSharpPatcher.Patch(library))
                Log.LogMessage(MessageImportance.High, $"KEEP: marked {LibTorchSharpPatcher.RequiredVersion} weak in {library} (system libstdc++ lacks it).");
        }
        return true;
    }
}
