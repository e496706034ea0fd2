namespace KEEP.MLNet.Cli.Commands;

/// <summary>Checks before any long work that an output file can be written where the user asked, so a bad path fails in a second, not after training.</summary>
internal static class WritablePath
{
    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="option"/> and the folder when <paramref name="file"/>'s folder cannot be written.</summary>
    public static string File(string file, string option)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        Folder(folder, option);
        return file;
    }

    /// <summary>
    /// As <see cref="File(string, string)"/>, and refuses an output that is one of the inputs (the command would
    /// overwrite the rows it reads) before any work.
    /// </summary>
    public static string File(string file, string option, params (string Path, string Option)[] inputs)
    {
        string full = Path.GetFullPath(file);
        foreach (var (input, inputOption) in inputs)
            if (string.Equals(full, Path.GetFullPath(input), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                throw new ArgumentException($"{option} is the {inputOption} file ({input}); write the output to another file.");
        return File(file, option);
    }

    /// <summary>Creates <paramref name="folder"/> if needed and writes (then deletes) a probe file in it.</summary>
    public static string Folder(string folder, string option)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".keep-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (System.IO.File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot write to {folder} ({e.Message}).", e);
        }
    }
}
