using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using KEEP.MLNet.Tests.Retrieval;
using KEEP.MLNet.Tests.Cli;

namespace KEEP.MLNet.Tests.Pretraining;

[TestClass]
public sealed class ResumeTests
{
    private static readonly PretrainingOptions Options = TestModels.Options with { Seed = 9 };

    [TestMethod]
    public void A_stopped_run_resumed_from_its_checkpoint_ends_like_an_uninterrupted_run()
    {
        using var uninterrupted = new KeepPretrainer(Options).Fit(TestModels.TrainingRows);

        string checkpoint = Path.Combine(TestWorlds.TempFolder("resume"), "run.resume");
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress<PretrainingProgress>(p => { if (p.Rows >= 16_000) stop.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new KeepPretrainer(Options) { CheckpointPath = checkpoint, CheckpointEveryRows = 5_000 }.Fit(TestModels.TrainingRows, progress, stop.Token));
        Assert.IsTrue(File.Exists(checkpoint));
        Assert.IsEmpty(Directory.GetFiles(Path.GetDirectoryName(checkpoint)!, "*.tmp"), "no temporary file is left behind");

        using var resumed = new KeepPretrainer(Options).Resume(checkpoint, TestModels.TrainingRows);
        AssertSameRun(uninterrupted, resumed);

        // The checkpoint is a model archive too: it loads as the model trained so far.
        using (var sofar = PretrainedModel.Load(checkpoint))
        using (var inside = ResumeCheckpoint.Read(checkpoint).Model)
        {
            Assert.IsGreaterThan(0L, sofar.History.Rows);
            Assert.IsLessThan(uninterrupted.History.Rows, sofar.History.Rows);
            var rows = TestModels.HoldoutRows().First();
            CollectionAssert.AreEqual(inside.Extract(rows).Interaction, sofar.Extract(rows).Interaction);
        }

        // Format 2's layout (the model's own file nested in model.keep) is still read; its row-wise Adam state (up to
        // format 3 the dense Adam also held unused moments of the embedding tables) is refused by name, not misread.
        string format2 = Path.Combine(Path.GetDirectoryName(checkpoint)!, "format2.resume");
        WriteFormat2(checkpoint, format2);
        using (var read = ResumeCheckpoint.Read(format2).Model)
        using (var current = ResumeCheckpoint.Read(checkpoint).Model)
            Assert.AreEqual(current.History.Rows, read.History.Rows);
        var refused = Assert.ThrowsExactly<InvalidDataException>(() => new KeepPretrainer(Options).Resume(format2, TestModels.TrainingRows));
        StringAssert.Contains(refused.Message, "format 2");
        StringAssert.Contains(refused.Message, "start the run again");
    }

    /// <summary>Rewrites a resume checkpoint in the format-2 layout: resume.json with Version 2, the model's parts nested as one zip entry.</summary>
    private static void WriteFormat2(string checkpoint, string target)
    {
        using var source = System.IO.Compression.ZipFile.OpenRead(checkpoint);
        using var output = System.IO.Compression.ZipFile.Open(target, System.IO.Compression.ZipArchiveMode.Create);
        var model = new MemoryStream();
        using (var nested = new System.IO.Compression.ZipArchive(model, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in new[] { "model.json", "vocabularies.bin", "weights.bin" })
            {
                using var from = source.GetEntry(name)!.Open();
                using var to = nested.CreateEntry(name).Open();
                from.CopyTo(to);
            }
        using (var to = output.CreateEntry("model.keep").Open()) to.Write(model.ToArray());
        using (var from = source.GetEntry("optimizer.bin")!.Open())
        using (var to = output.CreateEntry("optimizer.bin").Open())
            from.CopyTo(to);
        System.Text.Json.Nodes.JsonObject header;
        using (var from = source.GetEntry("resume.json")!.Open()) header = System.Text.Json.Nodes.JsonNode.Parse(from)!.AsObject();
        Assert.AreEqual(4, (int?)header["Version"]);
        header["Version"] = 2;
        using (var to = output.CreateEntry("resume.json").Open()) to.Write(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()));
    }

    [TestMethod]
    public void A_killed_CLI_pretraining_resumes_to_the_uninterrupted_result()
    {
        string folder = TestWorlds.TempFolder("kill");
        string data = TestWorlds.Tiny.Files[DatasetSplit.Super];
        string[] common = ["--data", data, "--batch-size", "500", "--seed", "3", "--quiet"];
        string reference = Path.Combine(folder, "reference.zip"), killed = Path.Combine(folder, "killed.zip");
        Assert.AreEqual(0, CliRunner.Run(["pretrain", .. common, "--out", reference]).ExitCode);

        using (var process = CliRunner.Start(["pretrain", .. common, "--out", killed, "--checkpoint-every", "8000"]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(killed + ".resume") && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.IsFalse(process.HasExited, "the run ended before it could be killed; write checkpoints earlier");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.IsFalse(File.Exists(killed), "a killed run leaves no model file");
        var (code, output) = CliRunner.Run(["pretrain", .. common, "--out", killed, "--checkpoint-every", "8000", "--resume"]);
        Assert.AreEqual(0, code, output);
        Assert.IsFalse(File.Exists(killed + ".resume"), "the finished model supersedes the checkpoint");
        using var expected = KnowledgeModelFile.LoadCheckpoint(reference);
        using var actual = KnowledgeModelFile.LoadCheckpoint(killed);
        AssertSameRun(expected, actual);

        (code, output) = CliRunner.Run(["pretrain", .. common, "--out", Path.Combine(folder, "none.zip"), "--resume"]);
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "no resume checkpoint");
    }

    [TestMethod]
    [DataRow("KEEP")]
    [DataRow("KEEP + ROK")]
    public void A_stopped_KEEP_DNN_run_resumed_across_an_epoch_boundary_ends_like_an_uninterrupted_run(string knowledge)
    {
        var options = new KeepDnnOptions { Layers = [32, 16], AttentionLayers = [8], PluginHidden = [16], BatchSize = 256, Epochs = 2, Seed = 4 };
        IEnumerable<ImpressionBatch> Rows() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]);
        IKnowledgeSource source = knowledge == "KEEP"
            ? new ExactKnowledge(TestModels.TinyModel)
            : new CombinedKnowledge(new ExactKnowledge(TestModels.TinyModel), new RokKnowledge(RokTests.Trained.Value.Model, RokKnowledgeKinds.Both));
        using var uninterrupted = new KeepDnnTrainer(options).Fit(Rows, source);
        long perEpoch = Rows().Sum(b => (long)b.Count);

        string checkpoint = Path.Combine(TestWorlds.TempFolder("dnn-resume"), "dnn.resume");
        using var stop = new CancellationTokenSource();
        // Stop in the second epoch; the last checkpoint may be from the first.
        var progress = new SynchronousProgress<DownstreamProgress>(p => { if (p.Rows >= perEpoch + perEpoch / 3) stop.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new KeepDnnTrainer(options) { CheckpointPath = checkpoint, CheckpointEveryRows = perEpoch / 2, Progress = progress }.Fit(Rows, source, cancellation: stop.Token));
        Assert.IsTrue(File.Exists(checkpoint));

        using var resumed = new KeepDnnTrainer(options).Resume(checkpoint, Rows);
        CollectionAssert.AreEqual(KnowledgeParts.Of(source).Select(p => p.GetType()).ToList(), KnowledgeParts.Of(resumed.Knowledge).Select(p => p.GetType()).ToList(),
            "the checkpoint carries every knowledge model the run read");
        Assert.HasCount(uninterrupted.Losses.Count, resumed.Losses);
        for (int i = 0; i < uninterrupted.Losses.Count; i++) Assert.AreEqual(uninterrupted.Losses[i], resumed.Losses[i], 1e-5, $"loss window {i}");
        var test = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        Assert.IsLessThan(1e-4, uninterrupted.Predict(test).Zip(resumed.Predict(test)).Max(p => Math.Abs(p.First - p.Second)));

        var e = Assert.ThrowsExactly<ArgumentException>(() => new KeepDnnTrainer(options with { Seed = 5 }).Resume(checkpoint, Rows));
        StringAssert.Contains(e.Message, "resume with the same options");
    }


    private static void AssertSameRun(PretrainedModel expected, PretrainedModel actual)
    {
        Assert.AreEqual(expected.History.Rows, actual.History.Rows);
        Assert.AreEqual(expected.History.Steps, actual.History.Steps);
        Assert.HasCount(expected.History.Losses.Count, actual.History.Losses);
        for (int i = 0; i < expected.History.Losses.Count; i++)
            for (int t = 0; t < expected.History.Losses[i].TaskLosses.Count; t++)
                Assert.AreEqual(expected.History.Losses[i].TaskLosses[t], actual.History.Losses[i].TaskLosses[t], 1e-5, $"loss point {i}, task {t}");
        var rows = TestModels.HoldoutRows().First();
        var (a, b) = (expected.Extract(rows), actual.Extract(rows));
        Assert.IsLessThan(1e-4, a.Interaction.Zip(b.Interaction).Max(p => Math.Abs(p.First - p.Second)));
    }
}
