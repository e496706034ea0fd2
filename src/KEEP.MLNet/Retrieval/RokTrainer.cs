using KEEP.MLNet.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// ROK end to end on super-domain rows: index them, train the retrieval-augmented teacher, distil it into
/// the knowledge base. The teacher is returned too (it is the quality ceiling to compare against).
/// </summary>
public sealed class RokTrainer
{
    private readonly RokOptions _options;

    /// <summary>Creates a trainer.</summary>
    public RokTrainer(RokOptions? options = null)
    {
        _options = options ?? new RokOptions();
        _options.Validate();
    }

    /// <summary>Progress of every stage.</summary>
    public IProgress<RokProgress>? Progress { get; init; }

    /// <summary>Trains on <paramref name="data"/> (rows in day order with labels; enumerated once per pass).</summary>
    public RokTraining Fit(Func<IEnumerable<ImpressionBatch>> data, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var indexing = Progress == null ? null : new Progress<long>(rows => Progress.Report(new RokProgress("index", rows, 0, double.NaN)));
        var index = SampleIndex.Build(data, _options.Retrieval, indexing);
        RetrievalTeacher? teacher = null;
        try
        {
            teacher = RetrievalTeacher.Fit(index, data, _options, Progress, cancellation);
            var model = RokDistiller.Fit(teacher, data, Progress, cancellation);
            return new RokTraining(index, teacher, model);
        }
        catch
        {
            teacher?.Dispose();
            index.Dispose();
            throw;
        }
    }
}

/// <summary>What <see cref="RokTrainer.Fit"/> produced; disposing releases all three.</summary>
/// <param name="Index">The sample index over the training rows.</param>
/// <param name="Teacher">The retrieval-augmented teacher.</param>
/// <param name="Model">The distilled knowledge base (what is plugged in and saved).</param>
public sealed record RokTraining(SampleIndex Index, RetrievalTeacher Teacher, RokModel Model) : IDisposable
{
    /// <summary>Releases the networks and the index.</summary>
    public void Dispose()
    {
        Model.Dispose();
        Teacher.Dispose();
        Index.Dispose();
    }
}
