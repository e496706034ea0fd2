using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments;

/// <summary>Settings of <see cref="PaperExperiment"/>: which world, which seeds, which tables.</summary>
public sealed record PaperExperimentOptions
{
    /// <summary>Simulator preset: tiny, small, default or large.</summary>
    public string Preset { get; init; } = "default";
    /// <summary>One simulated world, pre-training and set of downstream models per seed.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
    /// <summary>
    /// Training runs per world: 0 trains with the world's seed, t &gt; 0 retrains Tables 2–5 on the same world with
    /// another seed (<see cref="PaperExperiment.TrainingSeedOf"/>), so the report can separate the spread of
    /// trainings from the spread of worlds. Default: run 0 only.
    /// </summary>
    public IReadOnlyList<int> TrainingRuns { get; init; } = [0];
    /// <summary>Where worlds, checkpoints and results go; checkpoints found there are reused.</summary>
    public string OutputDirectory { get; init; } = "keep-experiment";
    /// <summary>Pre-training settings (the paper's by default); the task list is set per Table 4 variant.</summary>
    public PretrainingOptions Pretraining { get; init; } = new();
    /// <summary>Downstream KEEP DNN settings; the knowledge kinds are set per Table 3 variant.</summary>
    public KeepDnnOptions Dnn { get; init; } = new();
    /// <summary>
    /// The paper tables to run: 2 (downstream models; Table 7's sparsity buckets come with it), 3 (knowledge
    /// kinds), 4 (pre-training tasks: two more pre-trainings per seed), 5 (conversion and add-to-cart downstream models
    /// with and without knowledge, on the clicked test rows), 6 (amount of pre-training data: one more
    /// pre-training per entry of <see cref="PretrainingDays"/>), 8 (compressed knowledge for serving), 9 (ROK: retrieval teacher,
    /// ROK instance-/feature-wise, KEEP + ROK, with inference rows/s).
    /// Results of tables not run are kept from earlier runs in the same folder.
    /// </summary>
    public IReadOnlySet<int> Tables { get; init; } = new HashSet<int> { 2, 3, 4, 5, 6, 8, 9 };
    /// <summary>In Table 2, run the ML.NET tree trainers (FastTree and LightGbm) with and without knowledge.</summary>
    public bool TreeTrainers { get; init; } = true;
    /// <summary>
    /// In Table 2, run the paper's competitor families: a shared-bottom cross-domain model (CoNet/STAR), the
    /// pre-trained network fine-tuned on the sub-domain (BERT4Rec/S3-Rec) and KEEP-C (pre-training and plugging on
    /// the cross-domain period only).
    /// </summary>
    public bool Competitors { get; init; } = true;
    /// <summary>In Table 2, run the sample-merging baseline (downstream trained on super + sub rows).</summary>
    public bool SampleMerging { get; init; } = true;
    /// <summary>Settings of the Table 8 compression.</summary>
    public Serving.Compression.KnowledgeCompressionOptions Compression { get; init; } = new();
    /// <summary>ROK settings (table 9: the ROK table).</summary>
    public Retrieval.RokOptions Rok { get; init; } = new();
    /// <summary>
    /// Table 6: pre-train also on only the most recent this many super-domain training days (each less than the
    /// world's pre-training days); the full pre-training on all of them is always the last row. 0 is the control:
    /// knowledge from the untrained network. Null (the default) takes <see cref="DefaultPretrainingDays"/> of the
    /// world: 0, 1 and 2 on the default preset's 5 pre-training days, 0, 1 and 4 on shared-click's 13.
    /// </summary>
    public IReadOnlyList<int>? PretrainingDays { get; init; }

    /// <summary>
    /// Table 6's default amounts for a world with <paramref name="pretrainingDays"/> days of pre-training data: the
    /// untrained control, the last day, and the last third of the days (rounded; the paper's 1 month, 6 months and
    /// 2 years are roughly geometric, and the full pre-training is always added) — those below the full amount.
    /// </summary>
    public static IReadOnlyList<int> DefaultPretrainingDays(int pretrainingDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pretrainingDays, 1);
        return new[] { 0, 1, (int)Math.Round(pretrainingDays / 3.0, MidpointRounding.AwayFromZero) }.Where(d => d < pretrainingDays).Distinct().ToArray();
    }

    /// <summary>
    /// The sub-domain's traffic sampled on the test days, as a multiple of a training day's
    /// (<see cref="Data.Simulation.WorldOptions.TestTrafficScale"/>; the training files do not change with it). The default 3 gives the
    /// paper's site a paired KEEP − Base standard error of at most 0.0025 in one world (measured on its noisiest world:
    /// 0.0036 at 1×, 0.0026 at 2×, 0.0022 at 3×): one day of a sparse domain holds too few users with a click and a non-click.
    /// </summary>
    public double TestTrafficScale { get; init; } = 3;
    /// <summary>Upper bounds (inclusive) of the user-sparsity buckets, in sub-domain training rows per user.</summary>
    public IReadOnlyList<int> SparsityBounds { get; init; } = [5, 20];
}
