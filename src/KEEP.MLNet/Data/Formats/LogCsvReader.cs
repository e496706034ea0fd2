using System.Globalization;

using KEEP.MLNet.Data.Import;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Reads a comma-separated file line by line with 1-based line numbers. Columns are found by name in a
/// header row when the file has one (or must have one), or by position otherwise; every parse error names
/// file, line and column. Shared by the impression CSV format and the importers of public logs.
/// </summary>
internal sealed class LogCsvReader
{
    private readonly string _path;
    private readonly string[] _columns;
    private readonly int[] _positions;
    private readonly bool _hasHeader;
    private string[] _fields = [];

    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read, in the order the file has them when it has no header.</param>
    public LogCsvReader(string path, params string[] columns) : this(path, requireHeader: false, columns) { }

    /// <param name="path">The file.</param>
    /// <param name="requireHeader">The first line is always the header (no positional fallback).</param>
    /// <param name="columns">The columns to read.</param>
    public LogCsvReader(string path, bool requireHeader, params string[] columns) : this(path, requireHeader, [], columns)
    {
    }

    /// <summary>Opens <paramref name="path"/>; the columns in <paramref name="optional"/> may be absent from the header (see <see cref="Has"/>).</summary>
    public LogCsvReader(string path, bool requireHeader, IReadOnlyCollection<string> optional, string[] columns)
    {
        _path = path;
        _columns = columns;
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found");
        using var reader = new StreamReader(path);
        string first = reader.ReadLine() ?? throw new DataFormatException(path, 1, null, requireHeader ? "the file is empty; expected a header row" : "the file is empty");
        var names = first.Split(',').Select(n => n.Trim()).ToArray();
        _hasHeader = requireHeader || !long.TryParse(names[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        Header = _hasHeader ? names : [];
        _positions = new int[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            _positions[c] = _hasHeader ? Array.IndexOf(names, columns[c]) : c;
            if (_positions[c] < 0 && !optional.Contains(columns[c])) throw new DataFormatException(path, 1, columns[c], $"missing column; the header has: {first}");
        }
        FieldCount = _hasHeader ? names.Length : columns.Length;
    }

    /// <summary>Whether column <paramref name="column"/> (index into the constructor's list) is in the file.</summary>
    public bool Has(int column) => _positions[column] >= 0;

    /// <summary>The header's column names (empty for a file without a header).</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Fields a line must have.</summary>
    public int FieldCount { get; }

    /// <summary>The current line number.</summary>
    public long Line { get; private set; }

    /// <summary>The file.</summary>
    public string Path => _path;

    /// <summary>Moves through the data lines; skips blank lines; checks the field count.</summary>
    public IEnumerable<LogCsvReader> Lines()
    {
        using var reader = new StreamReader(_path);
        Line = 0;
        if (_hasHeader) { reader.ReadLine(); Line = 1; }
        while (reader.ReadLine() is { } text)
        {
            Line++;
            if (text.Length == 0) continue;
            _fields = text.Split(',');
            if (_fields.Length != FieldCount)
                throw new DataFormatException(_path, Line, null, $"expected {FieldCount} fields, found {_fields.Length}");
            yield return this;
        }
    }

    /// <summary>The raw text of column <paramref name="column"/> (index into the constructor's list).</summary>
    public string Text(int column) => _fields[_positions[column]].Trim();

    /// <summary>An integer field; <paramref name="min"/> and <paramref name="max"/> bound it.</summary>
    public long Long(int column, long min = long.MinValue, long max = long.MaxValue)
    {
        string text = Text(column);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error(column, $"'{text}' is not an integer");
        if (value < min || value > max) throw Error(column, $"{value} is out of range [{min}, {max}]");
        return value;
    }

    /// <summary>An id field, 0 ≤ id &lt; int.MaxValue (so that id + 1 still fits).</summary>
    public int Id(int column) => (int)Long(column, 0, int.MaxValue - 1);

    /// <summary>An id field that must be at least 1 (0 is reserved for padding and unknown ids).</summary>
    public int PositiveId(int column)
    {
        int id = Id(column);
        return id >= 1 ? id : throw Error(column, $"id {id} is out of range (ids start at 1)");
    }

    /// <summary>A Taobao behaviour type: pv, cart, fav or buy.</summary>
    public RawEventKind Behaviour(int column) => Text(column) switch
    {
        "pv" => RawEventKind.View,
        "cart" => RawEventKind.Cart,
        "buy" => RawEventKind.Buy,
        "fav" => RawEventKind.Favourite,
        var other => throw Error(column, $"'{other}' is not a behaviour (pv, cart, fav, buy)"),
    };

    /// <summary>An Int32 field (any sign; range checks are the caller's).</summary>
    public int Int(int column) => (int)Long(column, int.MinValue, int.MaxValue);

    /// <summary>A label: 1/0 or true/false.</summary>
    public bool Bool(int column) => Text(column) switch
    {
        "1" or "true" or "True" or "TRUE" => true,
        "0" or "false" or "False" or "FALSE" => false,
        var text => throw Error(column, $"'{text}' is not a label (0/1 or true/false)"),
    };

    /// <summary>Space-separated non-negative ids, into <paramref name="into"/> (cleared first).</summary>
    public void Ids(int column, List<int> into)
    {
        into.Clear();
        foreach (var token in Text(column).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw Error(column, $"'{token}' is not a non-negative integer id");
            into.Add(id);
        }
    }

    /// <summary>An id field that may be NULL/empty: returns null then.</summary>
    public int? OptionalId(int column)
    {
        string text = Text(column);
        return text.Length == 0 || text.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? null : Id(column);
    }

    /// <summary>An error at the current line and the given column.</summary>
    public DataFormatException Error(int column, string reason) => new(_path, Line, _columns[column], reason);
}
