using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Experiments;

public sealed partial class PaperExperiment
{
    /// <summary>
    /// The ROK table: ROK trained on the super-domain (index → retrieval teacher → distilled knowledge base);
    /// the teacher scores the sub-domain test day with retrieval, the KEEP DNN is trained with ROK knowledge
    /// instance-wise, feature-wise, and with KEEP's K(u, i) and ROK together. Every row records inference rows/s.
    /// </summary>
    private void RokTable(string dir, int seed, PretrainedModel full, IReadOnlyDictionary<DatasetSplit, string> files, TestRows test,
        Func<IEnumerable<ImpressionBatch>> subTrain, Func<IKnowledgeSource, ((float[] Scores, double Seconds) Result, Dictionary<string, double> Inference)> dnn,
        Action<string, string, float[], double, Dictionary<string, double>?> add, CancellationToken cancellation)
    {
        Report($"seed {seed}: ROK — indexing the super-domain, training the retrieval teacher, distilling the knowledge base");
        string? stage = null;
        var progress = new SynchronousProgress<RokProgress>(p =>
        {
            if (p.Stage == stage) return;
            stage = p.Stage;
            Report($"seed {seed}: ROK {stage}");
        });
        var clock = Stopwatch.StartNew();
        using var training = new RokTrainer(_options.Rok with { Seed = seed }) { Progress = progress }.Fit(() => ImpressionFile.Read(files[DatasetSplit.Super]), cancellation);
        double rokSeconds = clock.Elapsed.TotalSeconds;
        training.Model.Save(Path.Combine(dir, "rok.keep"));

        clock.Restart();
        float[] teacherScores = [.. test.Batches.SelectMany(training.Teacher.Predict)];
        var details = InferenceRate(teacherScores.Length, clock.Elapsed.TotalSeconds);
        details["rokTrainSeconds"] = rokSeconds;
        details["indexedRows"] = training.Index.Count;
        details["finalReconstructionMse"] = training.Model.History.ReconstructionErrors.TakeLast(10).Average();
        add(TableRok, RetrievalTeacher, teacherScores, rokSeconds, details);

        var model = training.Model;
        foreach (var (name, knowledge) in new (string, IKnowledgeSource)[]
        {
            (RokInstance, new RokKnowledge(model, RokKnowledgeKinds.Instance)),
            (RokFields, new RokKnowledge(model, RokKnowledgeKinds.Fields)),
            (KeepRok, new CombinedKnowledge(new ExactKnowledge(full), new RokKnowledge(model, RokKnowledgeKinds.Instance))),
        })
        {
            var ((scores, seconds), inference) = dnn(knowledge);
            add(TableRok, name, scores, seconds, inference);
        }
    }

    private static Dictionary<string, double> InferenceRate(int rows, double seconds) => new() { ["inferenceRowsPerSecond"] = rows / Math.Max(seconds, 1e-9) };
}
