namespace KEEP.MLNet.Data.Import;

/// <summary>
/// The common shape of an import: parse the inputs into a user-bucket spill, replay each user's timeline
/// into day-ordered writers, then finish every output atomically. Temporary files are always removed.
/// </summary>
internal static class ImportPipeline
{
    public static void Run(ImportOptions options, ImportReport report, DateTimeOffset origin, long inputBytes, string firstOutput,
        Action<UserBucketSpill, TimelineBuilder> parse, Func<string, TimelineOutputs> openOutputs, IReadOnlyList<(string Path, Func<TimelineOutputs, DayOrderedWriter?> Pick)> files,
        IProgress<RowProgress>? progress)
    {
        options.Validate();
        string tempRoot = Path.Combine(options.TempFolder ?? Path.GetDirectoryName(Path.GetFullPath(firstOutput))!, $".keep-import-{Guid.NewGuid():N}");
        var builder = new TimelineBuilder(options, report, origin);
        try
        {
            using var spill = new UserBucketSpill(Path.Combine(tempRoot, "buckets"), options.BucketsFor(inputBytes));
            parse(spill, builder);
            var outputs = openOutputs(tempRoot);
            var writers = files.Select(f => f.Pick(outputs)).ToArray();
            try
            {
                long done = 0;
                foreach (var bucket in spill.SortedBuckets())
                {
                    builder.Process(bucket, outputs);
                    progress?.Report(new RowProgress(done += bucket.Length, spill.Count));
                }
                for (int f = 0; f < files.Count; f++)
                    if (writers[f] is { } writer) report.Wrote(files[f].Path, writer.Complete());
            }
            finally
            {
                foreach (var writer in writers) writer?.Dispose();
            }
        }
        finally
        {
            try { if (Directory.Exists(tempRoot)) Directory.Delete(tempRoot, recursive: true); } catch (IOException) { }
        }
    }
}
