using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// Distils a <see cref="RetrievalTeacher"/> into a <see cref="RokKnowledgeBase"/>: for each row the
/// teacher (with retrieval) gives its aggregated representation R; the knowledge base, from the row alone,
/// learns R̂ with MSE(R̂, R) + w · InfoNCE(R̂, R), where in-batch rows are the negatives. Rows that
/// retrieve nothing (the first day) are left out: their R = 0 carries no knowledge.
/// </summary>
public static class RokDistiller
{
    /// <summary>Trains the knowledge base on <paramref name="data"/> (rows in day order; the teacher's rows or others).</summary>
    public static RokModel Fit(RetrievalTeacher teacher, Func<IEnumerable<ImpressionBatch>> data, IProgress<RokProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(data);
        var options = teacher.Options;
        var vocabularies = teacher.Vocabularies;
        var network = Layers.SeededInitialisation.Create(options.Seed + 1, () => new RokKnowledgeBase(vocabularies, options));
        try
        {
            network.train();
            using var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, EmbeddingUpdates.DenseAdam);
            long rows = 0;
            var outcome = TrainingEngine.Run(options.TrainingRun("distillation", data, 0, options.DistillationEpochs, progress, cancellation), TrainingStep.From(
                (ImpressionBatch batch) => teacher.RepresentCovered(batch) is { Rows.Count: >= 2 } covered
                    ? (Input: ModelInput.From(covered.Rows, 0, covered.Rows.Count, vocabularies, options.HistoryLength), Target: covered.Representation)
                    : default,
                block =>
                {
                    if (block.Input == null) return null;
                    int n = block.Input.Rows;
                    rows += n;
                    var target = tensor(block.Target, [n, options.RepresentationDim]);
                    var (_, reconstruction) = network.forward(block.Input.ToTensors());
                    var mse = nn.functional.mse_loss(reconstruction, target);
                    var contrastive = InfoNce(reconstruction, target, options.Temperature);
                    return new StepLoss(mse.Plus(contrastive.Times(options.ContrastiveWeight)), [mse, contrastive], n);
                }), optimizer);
            var windows = outcome.Windows.Select(w => w.Losses).ToList();
            network.eval();
            var history = new RokHistory
            {
                Rows = rows / options.DistillationEpochs,
                TeacherLosses = teacher.Losses,
                ReconstructionErrors = [.. windows.Select(w => w[1])],
                ContrastiveLosses = [.. windows.Select(w => w[2])],
            };
            return new RokModel(options, vocabularies, network, history);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Cross-entropy of cosine similarities / τ where row i's positive is the teacher's row i.</summary>
    internal static Tensor InfoNce(Tensor student, Tensor teacher, double temperature)
    {
        var s = nn.functional.normalize(student, dim: 1);
        var t = nn.functional.normalize(teacher, dim: 1);
        var logits = matmul(s, t.t()).DividedBy(temperature);
        return nn.functional.cross_entropy(logits, HeldScalars.Range(student.shape[0]));
    }
}
