namespace KEEP.MLNet.Cli.Commands;

/// <summary>A <c>--data</c> argument: a file, or a folder from <c>keep generate</c>/<c>keep import</c> meaning one of its files.</summary>
internal static class DataArgument
{
    /// <summary>
    /// The file itself, or <paramref name="fileInFolder"/> inside the folder — or the same stem as <c>.csv</c> when the folder
    /// holds only that (<c>keep generate --format csv</c>); a missing one is named.
    /// </summary>
    public static string Resolve(FileSystemInfo data, string fileInFolder)
    {
        if (Directory.Exists(data.FullName))
        {
            string file = Path.Combine(data.FullName, fileInFolder);
            if (File.Exists(file)) return file;
            string csv = Path.ChangeExtension(file, ".csv");
            if (File.Exists(csv)) return csv;
            throw new FileNotFoundException($"{data.FullName}: no {fileInFolder} or {Path.GetFileName(csv)} in this folder (run 'keep generate' or 'keep import' first).", file);
        }
        return File.Exists(data.FullName) ? data.FullName : throw new FileNotFoundException($"{data.FullName}: not found.", data.FullName);
    }
}
