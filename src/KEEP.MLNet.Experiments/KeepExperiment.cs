using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Experiments;

/// <summary>One tried model: its settings and its GAUC on the validation day.</summary>
/// <param name="Trainer">keep-dnn, fasttree, lightgbm or sdca.</param>
/// <param name="Settings">The hyper-parameters tried.</param>
/// <param name="WithKnowledge">Whether KEEP knowledge was plugged in.</param>
/// <param name="WithRok">Whether ROK knowledge was plugged in.</param>
/// <param name="Gauc">GAUC on the validation day.</param>
/// <param name="Auc">AUC on the validation day.</param>
/// <param name="Seconds">Training time.</param>
public sealed record ExperimentCandidate(string Trainer, string Settings, bool WithKnowledge, bool WithRok, double Gauc, double Auc, double Seconds)
{
    /// <summary>The knowledge plugged in: none, KEEP, ROK or KEEP + ROK.</summary>
    public string Knowledge => (WithKnowledge, WithRok) switch { (true, true) => "KEEP + ROK", (true, false) => "KEEP", (false, true) => "ROK", _ => "none" };
}

/// <summary>
/// Model Builder-style search for the sub-domain: tries downstream trainers (FastTree, KEEP DNN,
/// LightGbm, SDCA) with and without KEEP (and ROK) knowledge and a few hyper-parameter settings each, within a time
/// budget, ranks them by GAUC on the last training day (held out), and keeps the best model.
/// </summary>
public sealed class KeepExperiment
{
    private readonly KeepExperimentOptions _options;
    private readonly IProgress<ExperimentCandidate>? _progress;

    /// <summary>Creates the experiment; each finished candidate is reported to <paramref name="progress"/>.</summary>
    public KeepExperiment(KeepExperimentOptions options, IProgress<ExperimentCandidate>? progress = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var unknown = _options.Trainers.Except(["keep-dnn", "fasttree", "lightgbm", "sdca"]).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown trainer(s): {string.Join(", ", unknown)}; use keep-dnn, fasttree, lightgbm or sdca.", nameof(options));
        if (_options.Trainers.Count == 0) throw new ArgumentException("Name at least one trainer.", nameof(options));
        _progress = progress;
    }

    /// <summary>Runs the search; the result holds the leaderboard and the best fitted model (caller disposes).</summary>
    public KeepExperimentResult Run(CancellationToken cancellation = default)
    {
        var ml = new MLContext(_options.Seed);
        int history = _options.Knowledge?.Options.HistoryLength ?? _options.Rok?.Options.HistoryLength ?? 50;
        var all = ImpressionFile.Load(_options.TrainingFile, history);
        int lastDay = all.GetColumn<int>(ImpressionColumns.Day).Max();
        var (train, validation) = SplitByDay(ml, all, lastDay);
        var clock = Stopwatch.StartNew();
        var board = new List<ExperimentCandidate>();
        ITransformer? best = null;
        double bestGauc = double.NegativeInfinity;
        foreach (var (trainer, settings, variant, estimator) in Candidates(ml))
        {
            cancellation.ThrowIfCancellationRequested();
            if (board.Count > 0 && clock.Elapsed > _options.Time) break;
            var fitClock = Stopwatch.StartNew();
            var model = estimator().Fit(train);
            double seconds = fitClock.Elapsed.TotalSeconds;
            var metrics = ml.BinaryClassification.EvaluateGauc(model.Transform(validation), _options.Label.ToString());
            var candidate = new ExperimentCandidate(trainer, settings, variant.Keep != null, variant.Rok != null, metrics.Gauc, metrics.Auc, seconds);
            board.Add(candidate);
            _progress?.Report(candidate);
            if (metrics.Gauc > bestGauc)
            {
                (best as IDisposable)?.Dispose();
                (best, bestGauc) = (model, metrics.Gauc);
            }
            else (model as IDisposable)?.Dispose();
        }
        return new KeepExperimentResult([.. board.OrderByDescending(c => c.Gauc)], best!, all.Schema, lastDay);
    }

    /// <summary>Rows before <paramref name="lastDay"/> train; rows of that day validate.</summary>
    private static (IDataView Train, IDataView Validation) SplitByDay(MLContext ml, IDataView data, int lastDay)
    {
        const string Day = "__keep_day";
        var withDay = ml.Transforms.Conversion.ConvertType(Day, ImpressionColumns.Day, DataKind.Double).Fit(data).Transform(data);
        var train = ml.Data.FilterRowsByColumn(withDay, Day, double.NegativeInfinity, lastDay);
        var validation = ml.Data.FilterRowsByColumn(withDay, Day, lastDay, lastDay + 1);
        if (!train.GetColumn<int>(ImpressionColumns.Day).Any())
            throw new ArgumentException("The training file holds a single day; the experiment holds out the last day for validation and needs at least two.");
        return (train, validation);
    }

    /// <summary>The knowledge a candidate reads: KEEP's model and/or ROK's options; both null for the base model.</summary>
    private sealed record KnowledgeVariant(PretrainedModel? Keep, RokKnowledgeOptions? Rok)
    {
        public IKnowledgeSource? Source(RokKnowledgeKinds kinds)
        {
            IKnowledgeSource? keep = Keep == null ? null : new ExactKnowledge(Keep);
            IKnowledgeSource? rok = Rok == null ? null : new RokKnowledge(Rok.Model!, kinds);
            return keep != null && rok != null ? new CombinedKnowledge(keep, rok) : keep ?? rok;
        }
    }

    /// <summary>Most knowledge first: KEEP + ROK, KEEP, ROK, none — each only when its models are given.</summary>
    private IEnumerable<KnowledgeVariant> Variants()
    {
        var rok = _options.Rok == null ? null : new RokKnowledgeOptions { Model = _options.Rok, Emit = _options.RokKinds };
        foreach (var keep in _options.Knowledge == null ? [null] : new[] { _options.Knowledge, null })
            foreach (var withRok in rok == null ? [null] : new[] { rok, null })
                yield return new KnowledgeVariant(keep, withRok);
    }

    private IEnumerable<(string Trainer, string Settings, KnowledgeVariant Variant, Func<IEstimator<ITransformer>> Estimator)> Candidates(MLContext ml)
    {
        string label = _options.Label.ToString();
        int seed = _options.Seed;
        foreach (string trainer in _options.Trainers)
            foreach (var variant in Variants())
            {
                var (keep, rok) = (variant.Keep, variant.Rok);
                switch (trainer)
                {
                    case "keep-dnn":
                        foreach (var (lr, epochs) in new[] { (0.001, 1), (0.001, 2) })
                            yield return (trainer, $"lr {lr}, {epochs} epoch(s)", variant,
                                () => new KeepDnnEstimator(new KeepDnnOptions { Label = _options.Label, LearningRate = lr, Epochs = epochs, Seed = seed }, variant.Source(_options.RokKinds)));
                        break;
                    case "fasttree":
                        foreach (var (trees, leaves) in new[] { (100, 20), (200, 31) })
                            yield return (trainer, $"{trees} trees, {leaves} leaves", variant, () => DownstreamPipelines.Create(ml, trainer, label, seed, keep, trees: trees, leaves: leaves, rok: rok));
                        break;
                    default:
                        yield return (trainer, trainer == "lightgbm" ? "100 iterations, 31 leaves" : "default", variant, () => DownstreamPipelines.Create(ml, trainer, label, seed, keep, rok: rok));
                        break;
                }
            }
    }
}

/// <summary>What <see cref="KeepExperiment.Run"/> found.</summary>
/// <param name="Leaderboard">Candidates, best GAUC first.</param>
/// <param name="BestModel">The best candidate's fitted model (trained on the days before the validation day).</param>
/// <param name="InputSchema">The schema to save the model with.</param>
/// <param name="ValidationDay">The held-out day.</param>
public sealed record KeepExperimentResult(IReadOnlyList<ExperimentCandidate> Leaderboard, ITransformer BestModel, DataViewSchema InputSchema, int ValidationDay);
