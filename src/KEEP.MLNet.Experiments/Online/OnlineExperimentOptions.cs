using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>Settings of <see cref="OnlineExperiment"/>: which world, which seeds, when knowledge arrives.</summary>
public sealed record OnlineExperimentOptions
{
    /// <summary>Simulator preset with a pre-training history before the sub-domain's days (default: the paper's site, 7 sub-domain days).</summary>
    public string Preset { get; init; } = "default";
    /// <summary>One world, pre-training and set of daily models per seed.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1];
    /// <summary>Where worlds, the pre-trained checkpoint and results go (a paper experiment's folder can be reused: its checkpoints are).</summary>
    public string OutputDirectory { get; init; } = "keep-online";
    /// <summary>Pre-training settings (the paper's by default).</summary>
    public PretrainingOptions Pretraining { get; init; } = new();
    /// <summary>Downstream DNN settings of every daily model.</summary>
    public KeepDnnOptions Dnn { get; init; } = new();
    /// <summary>
    /// The sub-domain day (counted from its first, 0-based) whose training first uses knowledge: the plug-in joins the
    /// running Base DNN there, and the from-scratch model is trained there on every sub-domain day so far. At least 1, so
    /// that the Base DNN has run a day before.
    /// </summary>
    public int KnowledgeDay { get; init; } = 1;
    /// <summary>Run the daily models (a)–(d); false runs only the version-skew part.</summary>
    public bool Daily { get; init; } = true;
    /// <summary>
    /// Newer knowledge versions the version-skew part serves a model trained against version v with (v + 1 … v + K, one
    /// super-domain day of continued pre-training each); 0 skips the part.
    /// </summary>
    public int SkewVersions { get; init; } = 4;
}
