using KEEP.MLNet.Data;
using Microsoft.ML;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained KEEP DNN as an ML.NET transformer: adds <c>Score</c> (logit), <c>Probability</c> and
/// <c>PredictedLabel</c>, like ML.NET's calibrated binary classifiers. <c>Transform</c> scores blocks
/// of rows with the TorchSharp network; <c>GetRowToRowMapper</c> (PredictionEngine) and <c>Save</c>
/// use the same network — with its knowledge subgraph when plugged — exported to ONNX inside ML.NET's own
/// ONNX transformer, so a saved zip loads with <c>KeepModel.Load</c> (or <c>mlContext.Model.Load</c> after
/// <c>KeepModel.Register</c>) in any process.
/// </summary>
public sealed class KeepDnnTransformer : BatchedTransformer, IDisposable
{
    private readonly ImpressionColumnNames _columns;
    private readonly int _blockSize;

    internal KeepDnnTransformer(KeepDnn model, ImpressionColumnNames columns, ScoreColumnNames outputs, ITransformer portable, int blockSize) : base(portable)
    {
        Model = model;
        _columns = columns;
        OutputColumns = outputs;
        _blockSize = blockSize;
    }

    /// <summary>
    /// Wraps a trained (or loaded and further trained) <paramref name="model"/> as a transformer for rows like
    /// <paramref name="input"/>; the transformer takes ownership of the model.
    /// </summary>
    /// <param name="model">The trained network.</param>
    /// <param name="input">Rows like those the transformer will score (their schema is what matters).</param>
    /// <param name="columns">The input columns; null: the default names.</param>
    /// <param name="blockSize">Rows scored per network call in <c>Transform</c>.</param>
    /// <param name="outputColumns">The names of the added columns; null: <c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>.</param>
    public static KeepDnnTransformer Create(KeepDnn model, IDataView input, ImpressionColumnNames? columns = null, int blockSize = 2048, ScoreColumnNames? outputColumns = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        columns ??= new ImpressionColumnNames();
        outputColumns ??= ScoreColumnNames.Default;
        outputColumns.Validate();
        DataViewImpressions.ValidateFixedLength(input.Schema, columns, withLabels: false, model.Options.HistoryLength);
        return new KeepDnnTransformer(model, columns, outputColumns, KeepDnnEstimator.Portable(model, columns, outputColumns).Fit(input), blockSize);
    }

    /// <summary>The names of the columns the transformer adds.</summary>
    public ScoreColumnNames OutputColumns { get; }

    /// <summary>The trained network (for <see cref="KeepDnnTrainer.Continue"/> or warm-starting another model).</summary>
    public KeepDnn Model { get; }

    private protected override void Validate(DataViewSchema input)
        => DataViewImpressions.ValidateFixedLength(input, _columns, withLabels: false, Model.Options.HistoryLength);

    private protected override DataViewSchema OutputSchema(DataViewSchema input) => KeepDnnColumns.OutputSchema(input, OutputColumns);

    private protected override IDataView Batched(IDataView input) => new KeepDnnDataView(input, Model, _columns, OutputColumns, _blockSize);

    /// <summary>Releases the network (not the knowledge source, which the caller owns).</summary>
    public void Dispose() => Model.Dispose();
}
