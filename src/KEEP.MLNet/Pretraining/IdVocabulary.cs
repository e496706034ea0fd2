namespace KEEP.MLNet.Pretraining;

/// <summary>
/// Maps raw ids to embedding rows: 0 is padding, 1 is out-of-vocabulary (rare or unseen ids), known ids
/// start at 2 in order of first appearance. Lookups of dense id ranges use an array, others a dictionary.
/// </summary>
public sealed class IdVocabulary
{
    /// <summary>Row of padding.</summary>
    public const int Padding = 0;
    /// <summary>Row shared by ids not in the vocabulary.</summary>
    public const int OutOfVocabulary = 1;

    private readonly int[] _ids;
    private readonly Dictionary<int, int> _sparse = [];
    private readonly int[]? _dense;

    /// <summary>Creates a vocabulary of <paramref name="ids"/>, in row order from row 2.</summary>
    public IdVocabulary(IReadOnlyList<int> ids)
    {
        _ids = [.. ids];
        int max = _ids.Length == 0 ? 0 : _ids.Max();
        if (max < (1 << 26) && max <= 4L * _ids.Length + 1024)
        {
            _dense = new int[max + 1];
            Array.Fill(_dense, OutOfVocabulary);
            for (int i = 0; i < _ids.Length; i++)
                if (_ids[i] >= 0) _dense[_ids[i]] = i + 2;
        }
        else
        {
            for (int i = 0; i < _ids.Length; i++) _sparse[_ids[i]] = i + 2;
        }
    }

    /// <summary>Rows in the embedding table, padding and out-of-vocabulary included.</summary>
    public int Size => _ids.Length + 2;

    /// <summary>The known ids, in row order from row 2.</summary>
    public IReadOnlyList<int> Ids => _ids;

    /// <summary>The row of <paramref name="id"/>; 0 stays padding, unknown ids get <see cref="OutOfVocabulary"/>.</summary>
    public int this[int id]
    {
        get
        {
            if (id == 0) return Padding;
            if (_dense != null) return (uint)id < (uint)_dense.Length ? _dense[id] : OutOfVocabulary;
            return _sparse.TryGetValue(id, out int row) ? row : OutOfVocabulary;
        }
    }

    /// <summary>Writes the ids.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_ids.Length);
        foreach (int id in _ids) writer.Write(id);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static IdVocabulary Read(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException("Corrupt vocabulary: negative size.");
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = reader.ReadInt32();
        return new IdVocabulary(ids);
    }
}
