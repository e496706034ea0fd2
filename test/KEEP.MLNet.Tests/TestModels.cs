using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Tests;

/// <summary>A knowledge model trained once per test run on the tiny world's super-domain, all days but the last.</summary>
internal static class TestModels
{
    /// <summary>Small batches so that the tiny world gives enough optimiser steps.</summary>
    public static readonly PretrainingOptions Options = new() { BatchSize = 500, ProgressInterval = 5 };

    private static readonly Lazy<PretrainedModel> Tiny = new(() =>
        new KeepPretrainer(Options).Fit(() => TrainingRows()));

    public static PretrainedModel TinyModel => Tiny.Value;

    /// <summary>The tiny model as the knowledge model file <c>keep pretrain</c> writes (ML.NET zip + checkpoint).</summary>
    public static readonly Lazy<string> KnowledgeZip = new(() =>
    {
        string zip = Path.Combine(TestWorlds.TempFolder("knowledge-zip"), "knowledge.zip");
        var ml = new MLContext(1);
        var view = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        using var transformer = ml.Transforms.KeepKnowledge(TinyModel).Fit(view);
        KnowledgeModelFile.Save(ml, transformer, view.Schema, zip);
        return zip;
    });

    /// <summary>The last super-domain day of the tiny world (held out).</summary>
    public static int HoldoutDay => WorldOptions.Preset("shared-click-tiny").TrainDays - 1;

    public static IEnumerable<ImpressionBatch> TrainingRows() => SuperRows(d => d < HoldoutDay);

    public static IEnumerable<ImpressionBatch> HoldoutRows() => SuperRows(d => d == HoldoutDay);

    public static IEnumerable<ImpressionBatch> SuperRows(Func<int, bool> day)
    {
        foreach (var batch in ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.Super]))
        {
            var kept = new ImpressionBatch(Math.Max(batch.Count, 1));
            for (int r = 0; r < batch.Count; r++) if (day(batch.Day[r])) kept.AddRow(batch, r);
            if (kept.Count > 0) yield return kept;
        }
    }
}
