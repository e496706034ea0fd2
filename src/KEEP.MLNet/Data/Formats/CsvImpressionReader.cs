using System.Globalization;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Streams impressions from a CSV file written by <see cref="CsvImpressionWriter"/> (or by hand): a header
/// row naming the columns in any order, histories as space-separated ids, labels as 0/1 or true/false.
/// Columns that are not part of the schema are ignored and listed in <see cref="IgnoredColumns"/>.
/// Any malformed value is reported with file, line and column.
/// </summary>
public sealed class CsvImpressionReader
{
    private readonly string _path;
    private readonly int[] _positions;
    private readonly int _fieldCount;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public CsvImpressionReader(string path)
    {
        _path = path;
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found");
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new DataFormatException(path, 1, null, "the file is empty; expected a header row");
        string[] names = header.Split(',').Select(n => n.Trim()).ToArray();
        _fieldCount = names.Length;
        _positions = new int[ImpressionColumns.All.Count];
        for (int c = 0; c < _positions.Length; c++)
        {
            _positions[c] = Array.IndexOf(names, ImpressionColumns.All[c]);
            if (_positions[c] < 0)
                throw new DataFormatException(path, 1, ImpressionColumns.All[c], $"missing column; the header has: {header}");
        }
        IgnoredColumns = names.Where(n => !ImpressionColumns.All.Contains(n)).ToArray();
    }

    /// <summary>Header columns that are not part of the impression schema.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; }

    /// <summary>Reads the file in batches of up to <paramref name="batchSize"/> rows.</summary>
    public IEnumerable<ImpressionBatch> ReadBatches(int batchSize = 65_536)
    {
        using var reader = new StreamReader(_path);
        reader.ReadLine();
        var batch = new ImpressionBatch(batchSize);
        var history = new List<int>[3] { [], [], [] };
        long line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            string[] fields = text.Split(',');
            if (fields.Length != _fieldCount)
                throw new DataFormatException(_path, line, null, $"expected {_fieldCount} fields, found {fields.Length}");
            int day = ParseInt(fields, 0, line);
            int user = ParseInt(fields, 1, line), item = ParseInt(fields, 2, line), shop = ParseInt(fields, 3, line), category = ParseInt(fields, 4, line);
            for (int h = 0; h < 3; h++) ParseList(fields, 5 + h, line, history[h]);
            bool click = ParseBool(fields, 8, line), cart = ParseBool(fields, 9, line), conversion = ParseBool(fields, 10, line);
            if (history[1].Count != history[0].Count || history[2].Count != history[0].Count)
                throw new DataFormatException(_path, line, ImpressionColumns.HistoryShopIds, "the item, shop and category histories differ in length");
            var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history[0]);
            var shops = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history[1]);
            var categories = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history[2]);
            new ImpressionRowValidator(_path, line).Check(0, day, user, item, shop, category, items, shops, categories, click, cart, conversion);
            batch.Add(day, user, item, shop, category, items, shops, categories, click, cart, conversion);
            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new ImpressionBatch(batchSize);
            }
        }
        if (batch.Count > 0) yield return batch;
    }

    private int ParseInt(string[] fields, int column, long line)
    {
        string text = fields[_positions[column]];
        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new DataFormatException(_path, line, ImpressionColumns.All[column], $"'{text}' is not an integer");
        if (value is < int.MinValue or > int.MaxValue)
            throw new DataFormatException(_path, line, ImpressionColumns.All[column], $"{value} is out of range (at most {int.MaxValue})");
        return (int)value;
    }

    private void ParseList(string[] fields, int column, long line, List<int> into)
    {
        into.Clear();
        foreach (var token in fields[_positions[column]].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw new DataFormatException(_path, line, ImpressionColumns.All[column], $"'{token}' is not a non-negative integer id");
            into.Add(id);
        }
    }

    private bool ParseBool(string[] fields, int column, long line)
    {
        string text = fields[_positions[column]].Trim();
        return text switch
        {
            "1" or "true" or "True" or "TRUE" => true,
            "0" or "false" or "False" or "FALSE" => false,
            _ => throw new DataFormatException(_path, line, ImpressionColumns.All[column], $"'{text}' is not a label (0/1 or true/false)"),
        };
    }
}
