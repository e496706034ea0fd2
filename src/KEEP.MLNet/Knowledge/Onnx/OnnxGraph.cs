namespace KEEP.MLNet.Knowledge.Onnx;

/// <summary>ONNX tensor element types used here (TensorProto.DataType).</summary>
internal enum OnnxType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
}

/// <summary>
/// Builds an ONNX model: inputs, outputs, initializers (weights) and nodes, then writes the ModelProto.
/// Only the messages and fields KEEP's networks need are supported. Names are made unique by the caller
/// through <see cref="Name"/>.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private readonly Dictionary<string, string> _metadata = [];
    private int _counter;

    /// <summary>A fresh value name with the given prefix.</summary>
    public string Name(string prefix) => $"{prefix}_{_counter++}";

    /// <summary>Declares a graph input; a null dimension is symbolic (the batch).</summary>
    public void Input(string name, OnnxType type, params long?[] shape) => _inputs.Add(w => ValueInfo(w, name, type, shape));

    /// <summary>Declares a graph output.</summary>
    public void Output(string name, OnnxType type, params long?[] shape) => _outputs.Add(w => ValueInfo(w, name, type, shape));

    /// <summary>Adds a float initializer and returns its name.</summary>
    public string Weights(string prefix, float[] values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b)) throw new ArgumentException($"{prefix}: {values.Length} values for shape [{string.Join(',', dims)}].");
        return Initializer(prefix, OnnxType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims);
    }

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string Longs(string prefix, long[] values, params long[] dims)
        => Initializer(prefix, OnnxType.Int64, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), dims);

    /// <summary>A TensorProto with little-endian raw data.</summary>
    private string Initializer(string prefix, OnnxType type, byte[] raw, long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
        string name = Name(prefix);
        _initializers.Add(w =>
        {
            w.PackedInts(1, dims);
            w.Int(2, (int)type);
            w.String(8, name);
            w.Bytes(9, raw);
        });
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string[] inputs, params OnnxAttribute[] attributes)
        => NodeTo(Name(op.ToLowerInvariant()), op, inputs, attributes);

    /// <summary>Adds a node whose output gets a given name (for graph outputs).</summary>
    public string NodeTo(string output, string op, string[] inputs, params OnnxAttribute[] attributes)
    {
        string domain = op == "LabelEncoder" ? "ai.onnx.ml" : "";
        _nodes.Add(w =>
        {
            foreach (string input in inputs) w.String(1, input);
            w.String(2, output);
            w.String(3, output + "_node");
            w.String(4, op);
            foreach (var attribute in attributes) w.Message(5, attribute.Write);
            if (domain.Length > 0) w.String(7, domain);
        });
        return output;
    }

    /// <summary>Adds a key/value pair to the model's metadata.</summary>
    public void Metadata(string key, string value) => _metadata[key] = value;

    /// <summary>Serialises the ModelProto (IR 8, opset 17, ai.onnx.ml 3).</summary>
    public byte[] ToModel(string graphName)
    {
        var model = new ProtoWriter();
        model.Int(1, 8);
        model.String(2, "KEEP.MLNet");
        model.String(3, typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "1");
        model.Message(7, graph =>
        {
            foreach (var node in _nodes) graph.Message(1, node);
            graph.String(2, graphName);
            foreach (var initializer in _initializers) graph.Message(5, initializer);
            foreach (var input in _inputs) graph.Message(11, input);
            foreach (var output in _outputs) graph.Message(12, output);
        });
        model.Message(8, o => { o.String(1, ""); o.Int(2, 17); });
        model.Message(8, o => { o.String(1, "ai.onnx.ml"); o.Int(2, 3); });
        foreach (var (key, value) in _metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.Message(14, e => { e.String(1, key); e.String(2, value); });
        return model.ToArray();
    }

    private static void ValueInfo(ProtoWriter w, string name, OnnxType type, long?[] shape)
    {
        w.String(1, name);
        w.Message(2, typeProto => typeProto.Message(1, tensor =>
        {
            tensor.Int(1, (int)type);
            tensor.Message(2, shapeProto =>
            {
                foreach (var dim in shape)
                    shapeProto.Message(1, d => { if (dim is { } value) d.Int(1, value); else d.String(2, "N"); });
            });
        }));
    }
}

/// <summary>A node attribute (AttributeProto).</summary>
internal sealed class OnnxAttribute
{
    private readonly Action<ProtoWriter> _write;

    private OnnxAttribute(Action<ProtoWriter> write) => _write = write;

    public void Write(ProtoWriter writer) => _write(writer);

    public static OnnxAttribute Int(string name, long value) => new(w => { w.String(1, name); w.Int(20, 2); w.Int(3, value); });

    public static OnnxAttribute Ints(string name, long[] values) => new(w =>
    {
        w.String(1, name);
        w.Int(20, 7);
        foreach (long v in values) w.Int(8, v);
    });
}
