using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace KEEP.MLNet.Knowledge.Onnx;

/// <summary>
/// ML.NET's own ONNX transformer over one of KEEP's exported networks: what a saved zip stores, so plain
/// <c>mlContext.Model.Load</c> reads it back in any process. ML.NET feeds it one row at a time ([1, 1] ids,
/// [1, L] histories).
/// </summary>
internal static class PortableOnnx
{
    /// <summary>The estimator; with <paramref name="historyLength"/> null the network reads only the four id columns.</summary>
    public static OnnxScoringEstimator Estimator(ImpressionColumnNames names, int? historyLength, string[] outputs, byte[] onnxModel, int seed)
    {
        var shapes = new Dictionary<string, int[]>();
        foreach (string id in names.IdColumns) shapes[id] = [1, 1];
        if (historyLength is int length) foreach (string history in names.HistoryColumns) shapes[history] = [1, length];
        string[] inputs = historyLength == null ? [.. names.IdColumns] : [.. names.IdColumns, .. names.HistoryColumns];
        return new MLContext(seed).Transforms.ApplyOnnxModel(outputs, inputs, new MemoryStream(onnxModel),
            shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100);
    }
}
