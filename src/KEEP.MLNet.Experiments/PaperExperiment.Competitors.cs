using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Experiments.Competitors;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments;

public sealed partial class PaperExperiment
{
    /// <summary>Variant names of the paper's competitor families (Table 2, §6.2).</summary>
    public const string SharedBottom = "Shared-bottom cross-domain (CoNet/STAR family)",
        FineTuned = "Pre-trained network fine-tuned on the sub-domain (BERT4Rec/S3-Rec mechanism)",
        KeepC = "KEEP-C (pre-training and plugging on the cross-domain period only)";

    /// <summary>
    /// The paper's competitors (§6.2), each a thin model on the shared layers and the one training engine:
    /// <list type="bullet">
    /// <item>shared-bottom cross-domain: the Base DNN's embeddings and attention shared by the super- and sub-domain of the
    /// sub-domain's training days, a tower per domain (what CoNet's cross connections and STAR's shared centre share);</item>
    /// <item>pre-train then fine-tune: the pre-trained network itself trained further on the sub-domain's training rows
    /// (all three tasks, its own objective), scored by its click tower — the mechanism of BERT4Rec and S3-Rec;</item>
    /// <item>KEEP-C: KEEP with the pre-training on the same data as the cross-domain models (super- and sub-domain of the
    /// sub-domain's training days), plugged into the KEEP DNN as usual.</item>
    /// </list>
    /// </summary>
    private void CompetitorRows(string dir, string run, PretrainingOptions pretraining, PretrainedModel full,
        Func<IEnumerable<ImpressionBatch>> crossDomainSuper, Func<IEnumerable<ImpressionBatch>> subTrain, TestRows test,
        Func<IKnowledgeSource?, (float[] Scores, double Seconds)> dnn, Action<string, string, float[], double, Dictionary<string, double>?, TestRows?> add,
        CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using (var shared = SharedBottomModel.Fit(crossDomainSuper, subTrain, _options.Dnn with { Seed = pretraining.Seed }, cancellation))
        {
            double seconds = clock.Elapsed.TotalSeconds;
            add(Table2, SharedBottom, [.. test.Batches.SelectMany(shared.Predict)], seconds,
                new() { ["superRows"] = shared.Rows.Super, ["subRows"] = shared.Rows.Sub }, null);
        }

        clock.Restart();
        // Fine-tuning starts an optimizer of its own, as BERT4Rec and S3-Rec fine-tune.
        using (var tuned = PretrainedModel.Load(WorldFolder.PretrainedPath(dir, "all" + run)).WithFreshOptimizer())
        {
            KeepPretrainer.Continue(tuned, subTrain(), cancellation: cancellation);
            double seconds = clock.Elapsed.TotalSeconds;
            add(Table2, FineTuned, [.. test.Batches.SelectMany(b => tuned.Predict(b, PretrainingTask.Click))], seconds, null, null);
        }

        using var crossPeriod = Pretrained(dir, "cross-period" + run, pretraining, () => DayOrderedMerge.Merge(crossDomainSuper(), subTrain()), cancellation);
        var (scores, time) = dnn(new ExactKnowledge(crossPeriod));
        add(Table2, KeepC, scores, time, null, null);
    }

    /// <summary>Variant names of Table 5: the downstream model's label, without and with knowledge.</summary>
    public static string TaskVariant(PretrainingTask label, bool knowledge)
        => $"{(label == PretrainingTask.Conversion ? "CVR" : "add-to-cart")} {(knowledge ? "KEEP DNN" : "Base DNN")}";

    /// <summary>
    /// Table 5: conversion and add-to-cart downstream models (the CTR pair is Table 2's Base and KEEP DNN), each
    /// without and with knowledge, trained and evaluated on the clicked rows with that label (GAUC over the users
    /// with a positive and a negative clicked test row).
    /// </summary>
    private void TaskModels(TestRows test, Func<IEnumerable<ImpressionBatch>> subTrain, Func<TestRows, PretrainingTask, Func<IKnowledgeSource?, (float[] Scores, double Seconds)>> dnn,
        PretrainedModel full, Action<string, string, float[], double, Dictionary<string, double>?, TestRows?> add)
    {
        foreach (var label in new[] { PretrainingTask.Conversion, PretrainingTask.Cart })
        {
            var rows = test.For(label);
            long positives = subTrain().Sum(b => (label == PretrainingTask.Conversion ? b.Conversion : b.Cart).ToArray().Count(x => x));
            // Without a test user who has both a positive and a negative clicked row the model's GAUC is undefined.
            if (positives == 0 || rows.GaucUsers == 0)
            {
                Report($"Table 5: no {label} model on this world: {positives:N0} positive training rows, {rows.Labels.Count(x => x):N0} positive test rows, "
                    + $"{rows.GaucUsers:N0} test users with a positive and a negative clicked row");
                continue;
            }
            foreach (bool knowledge in new[] { false, true })
            {
                var (scores, time) = dnn(rows, label)(knowledge ? new ExactKnowledge(full) : null);
                add(Table5, TaskVariant(label, knowledge), scores, time, null, rows);
            }
        }
    }
}
