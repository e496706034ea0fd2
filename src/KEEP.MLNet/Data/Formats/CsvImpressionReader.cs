using System.Runtime.InteropServices;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Streams impressions from a CSV file written by <see cref="CsvImpressionWriter"/> (or by hand): a header
/// row naming the columns in any order, histories as space-separated ids, labels as 0/1 or true/false.
/// Columns that are not part of the schema are ignored and listed in <see cref="IgnoredColumns"/>.
/// Any malformed value is reported with file, line and column.
/// </summary>
public sealed class CsvImpressionReader
{
    private readonly LogCsvReader _csv;
    private readonly string _path;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelled">False for rows to be scored: <c>Day</c> and the labels may be absent (read as day 0 and false; see <see cref="MissingColumns"/>).</param>
    public CsvImpressionReader(string path, bool labelled = true)
    {
        _path = path;
        _csv = new LogCsvReader(path, requireHeader: true, labelled ? [] : ImpressionColumns.Unlabelled, [.. ImpressionColumns.All]);
        IgnoredColumns = _csv.Header.Where(n => !ImpressionColumns.All.Contains(n)).ToArray();
        MissingColumns = [.. ImpressionColumns.All.Where((_, c) => !_csv.Has(c))];
    }

    /// <summary>Optional columns the file does not have (only when opened unlabelled).</summary>
    public IReadOnlyList<string> MissingColumns { get; }

    /// <summary>Header columns that are not part of the impression schema.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; }

    /// <summary>Reads the file in batches of up to <paramref name="batchSize"/> rows.</summary>
    public IEnumerable<ImpressionBatch> ReadBatches(int batchSize = 65_536)
    {
        var batch = new ImpressionBatch(batchSize);
        var history = new List<int>[3] { [], [], [] };
        foreach (var line in _csv.Lines())
        {
            int day = line.Has(0) ? line.Int(0) : 0;
            int user = line.Int(1), item = line.Int(2), shop = line.Int(3), category = line.Int(4);
            for (int h = 0; h < 3; h++) line.Ids(5 + h, history[h]);
            bool click = line.Has(8) && line.Bool(8), cart = line.Has(9) && line.Bool(9), conversion = line.Has(10) && line.Bool(10);
            if (history[1].Count != history[0].Count || history[2].Count != history[0].Count)
                throw line.Error(6, "the item, shop and category histories differ in length");
            var items = CollectionsMarshal.AsSpan(history[0]);
            var shops = CollectionsMarshal.AsSpan(history[1]);
            var categories = CollectionsMarshal.AsSpan(history[2]);
            new ImpressionRowValidator(_path, line.Line).Check(0, day, user, item, shop, category, items, shops, categories, click, cart, conversion);
            batch.Add(day, user, item, shop, category, items, shops, categories, click, cart, conversion);
            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new ImpressionBatch(batchSize);
            }
        }
        if (batch.Count > 0) yield return batch;
    }
}
