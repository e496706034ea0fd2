using System.Collections.Concurrent;
using Microsoft.ML;

namespace KEEP.MLNet.Serving;

/// <summary>
/// Thread-safe scoring with one model shared by many <see cref="PredictionEngine{TSrc, TDst}"/>s, safe by
/// construction: the pool owns the model, every engine is created with <c>OwnsTransformer = false</c>, so an
/// engine the pool drops never disposes the model under the others (dotnet/machinelearning#5945: with the
/// default, the first disposed engine breaks every later prediction). Engines are not thread-safe; the pool
/// lends each to one caller at a time and keeps up to <see cref="MaxRetained"/> idle ones.
/// </summary>
/// <typeparam name="TInput">The input class, e.g. <c>ImpressionInput</c>.</typeparam>
/// <typeparam name="TOutput">The output class, e.g. <c>KeepDnnOutput</c>.</typeparam>
public sealed class PredictionPool<TInput, TOutput> : IDisposable
    where TInput : class
    where TOutput : class, new()
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly bool _ownsModel;
    private readonly ConcurrentBag<PredictionEngine<TInput, TOutput>> _idle = [];
    private int _idleCount;
    private int _created;
    private volatile bool _disposed;

    /// <summary>Creates the pool.</summary>
    /// <param name="mlContext">The context the model was loaded with.</param>
    /// <param name="model">The model; disposed with the pool when <paramref name="ownsModel"/>.</param>
    /// <param name="ownsModel">Whether <see cref="Dispose"/> disposes <paramref name="model"/>.</param>
    /// <param name="maxRetained">Idle engines kept for reuse; null: twice the processor count.</param>
    public PredictionPool(MLContext mlContext, ITransformer model, bool ownsModel = true, int? maxRetained = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        if (maxRetained is < 1) throw new ArgumentOutOfRangeException(nameof(maxRetained), maxRetained, "At least one engine must be retained.");
        _mlContext = mlContext;
        _model = model;
        _ownsModel = ownsModel;
        MaxRetained = maxRetained ?? 2 * Environment.ProcessorCount;
        Return(CreateEngine()); // builds the first engine now, so a model that cannot score fails here and not at the first request
    }

    /// <summary>Idle engines kept for reuse; engines beyond it are disposed when returned.</summary>
    public int MaxRetained { get; }

    /// <summary>Engines created so far (a measure of peak concurrency).</summary>
    public int EnginesCreated => Volatile.Read(ref _created);

    /// <summary>Scores one input on an engine lent for the call.</summary>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public TOutput Predict(TInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var engine = Rent();
        try
        {
            return engine.Predict(input);
        }
        finally
        {
            Return(engine);
        }
    }

    /// <summary>Scores several inputs on one engine, in order.</summary>
    public IReadOnlyList<TOutput> Predict(IEnumerable<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var engine = Rent();
        try
        {
            return [.. inputs.Select(engine.Predict)];
        }
        finally
        {
            Return(engine);
        }
    }

    private PredictionEngine<TInput, TOutput> Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var engine))
        {
            Interlocked.Decrement(ref _idleCount);
            return engine;
        }
        return CreateEngine();
    }

    private PredictionEngine<TInput, TOutput> CreateEngine()
    {
        Interlocked.Increment(ref _created);
        return _mlContext.Model.CreatePredictionEngine<TInput, TOutput>(_model, new PredictionEngineOptions { OwnsTransformer = false });
    }

    private void Return(PredictionEngine<TInput, TOutput> engine)
    {
        bool open = !_disposed;
        if (open && Interlocked.Increment(ref _idleCount) <= MaxRetained)
        {
            _idle.Add(engine);
            if (_disposed) DrainIdle(); // the pool was disposed while this engine was lent
            return;
        }
        if (open) Interlocked.Decrement(ref _idleCount);
        engine.Dispose(); // safe: the engine does not own the model
    }

    private void DrainIdle()
    {
        while (_idle.TryTake(out var idle)) idle.Dispose();
    }

    /// <summary>Disposes the idle engines and, when the pool owns it, the model; engines still lent are disposed as they come back.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DrainIdle();
        if (_ownsModel) (_model as IDisposable)?.Dispose();
    }
}
