using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Tests.Cli;
using KEEP.MLNet.Tests.Knowledge;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class KeepDnnEstimatorTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [64, 32], AttentionLayers = [16], PluginHidden = [32], BatchSize = 256 };

    private static ImpressionDataView Load(DatasetSplit split) => ImpressionFile.Load(TestWorlds.Tiny.Files[split], historyLength: 50);

    private static readonly Lazy<KeepDnnTransformer> Plugged = new(() =>
        new MLContext(1).BinaryClassification.Trainers.KeepDnn(Small, TestModels.TinyModel).Fit(Load(DatasetSplit.SubTrain)));

    [TestMethod]
    public void Scored_columns_have_the_types_of_an_MLNet_binary_classifier_before_and_after_fit()
    {
        var ml = new MLContext(1);
        var shape = ml.BinaryClassification.Trainers.KeepDnn(Small, TestModels.TinyModel).GetOutputSchema(Shapes.Of(Load(DatasetSplit.SubTest).Schema));
        var scored = Plugged.Value.Transform(Load(DatasetSplit.SubTest)).Schema;
        foreach (string name in new[] { "Score", "Probability", "PredictedLabel" })
        {
            var column = shape.Single(c => c.Name == name);
            Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, column.Kind, name);
            Assert.AreEqual(scored[name].Type, column.ItemType, name);
        }
        Assert.AreEqual(NumberDataViewType.Single, scored["Score"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, scored["PredictedLabel"].Type);
    }

    [TestMethod]
    public void Batched_transform_equals_the_network_and_MLNet_metrics_agree_with_GAUC()
    {
        var ml = new MLContext(1);
        var scored = Plugged.Value.Transform(Load(DatasetSplit.SubTest));
        var expected = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).SelectMany(Plugged.Value.Model.Predict).ToArray();
        var probability = scored.GetColumn<float>("Probability").ToArray();
        // Equal up to float rounding: the attention's GEMMs run over the real behaviour slots of a block, so a row's last
        // bits can depend on which rows share its block (the transform's 2,048-row blocks against the file's row groups).
        Assert.HasCount(expected.Length, probability);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], probability[i], 1e-6, $"row {i}");
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Assert.IsTrue(predicted.Zip(probability).All(p => p.First == p.Second > 0.5f));

        var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: ImpressionColumns.Click);
        var gauc = ml.BinaryClassification.EvaluateGauc(scored, labelColumnName: ImpressionColumns.Click, probabilityColumnName: "Probability");
        Assert.AreEqual(metrics.AreaUnderRocCurve, gauc.Auc, 1e-9);
        Assert.AreEqual(metrics.LogLoss, gauc.LogLoss, 1e-4);
    }

    [TestMethod]
    public void Saved_zip_loads_in_a_fresh_context_and_predicts_the_same_with_a_prediction_engine()
    {
        string path = Path.Combine(TestWorlds.TempFolder("dnn-zip"), "keep-dnn.zip");
        var test = Load(DatasetSplit.SubTest);
        new MLContext(1).Model.Save(Plugged.Value, test.Schema, path);

        var ml = new MLContext(2);
        var loaded = KeepModel.Load(ml, path, out _);
        var expected = Plugged.Value.Transform(test).GetColumn<float>("Probability").ToArray();
        var actual = loaded.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.HasCount(expected.Length, actual);
        double max = expected.Select((p, i) => Math.Abs(p - actual[i])).Max();
        Assert.IsLessThan(1e-4, max, $"max difference {max}");

        var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded);
        var row = ImpressionInput.From(ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First(), 0);
        var prediction = engine.Predict(row);
        Assert.AreEqual(expected[0], prediction.Probability, 1e-4f);
        Assert.AreEqual(prediction.Probability > 0.5f, prediction.PredictedLabel);
    }

    [TestMethod]
    public void Saved_zip_predicts_the_same_in_another_process()
    {
        string folder = TestWorlds.TempFolder("dnn-fresh");
        string zip = Path.Combine(folder, "keep-dnn.zip"), scores = Path.Combine(folder, "scores.parquet");
        var test = Load(DatasetSplit.SubTest);
        new MLContext(1).Model.Save(Plugged.Value, test.Schema, zip);
        var (code, output) = CliRunner.RunInNewProcess("predict", "--model", zip, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--out", scores, "--quiet");
        Assert.AreEqual(0, code, output);
        var expected = Plugged.Value.Transform(test).GetColumn<float>("Probability").ToArray();
        var actual = FreshProcessTests.ReadFloats(scores, "Probability");
        Assert.HasCount(expected.Length, actual);
        double max = expected.Select((p, i) => Math.Abs(p - actual[i])).Max();
        Assert.IsLessThan(1e-4, max, $"max difference {max}");
    }

    [TestMethod]
    public void A_literal_null_knowledge_compiles_and_means_the_base_model()
    {
        var ml = new MLContext(1);
        var data = Load(DatasetSplit.SubTest);
        // Both overloads (PretrainedModel? and IKnowledgeSource) take null; the base model's is chosen.
        foreach (var estimator in new[] { ml.BinaryClassification.Trainers.KeepDnn(Small, null), new KeepDnnEstimator(Small, null) })
        {
            var schema = estimator.GetOutputSchema(Shapes.Of(data.Schema));
            Assert.IsTrue(schema.Any(c => c.Name == "Probability"));
        }
        var fastTree = ml.BinaryClassification.Trainers.FastTree();
        var e = Assert.ThrowsExactly<ArgumentNullException>(() => ml.BinaryClassification.Trainers.KeepPlugin(fastTree, null!));
        StringAssert.Contains(e.Message, "needs a pre-trained model");
    }

    [TestMethod]
    public void Variable_length_histories_are_refused_with_the_column_named()
    {
        var variable = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).BinaryClassification.Trainers.KeepDnn(Small).Fit(variable));
        StringAssert.Contains(e.Message, ImpressionColumns.HistoryItemIds);
    }

    /// <summary>The training rows with the label under another name and no Day, Cart or Conversion column, as a user's own data come.</summary>
    private static IDataView RenamedLabel(MLContext ml, string label, bool keepClick = false)
    {
        var view = ml.Transforms.CopyColumns(label, ImpressionColumns.Click).Fit(Load(DatasetSplit.SubTrain)).Transform(Load(DatasetSplit.SubTrain));
        string[] drop = keepClick ? [ImpressionColumns.Day] : [ImpressionColumns.Day, ImpressionColumns.Click, ImpressionColumns.Cart, ImpressionColumns.Conversion];
        return ml.Transforms.DropColumns(drop).Fit(view).Transform(view);
    }

    [TestMethod]
    public void Trainer_options_train_on_a_named_label_column_with_no_day_and_no_other_labels()
    {
        var ml = new MLContext(1);
        var options = new KeepDnnEstimator.Options { LabelColumnName = "Label", Network = Small, Seed = 3, Epochs = 1, BatchSize = 128 };
        var estimator = ml.BinaryClassification.Trainers.KeepDnn(options);
        Assert.AreEqual("Label", estimator.LabelColumnName);
        using var model = estimator.Fit(RenamedLabel(ml, "Label"));
        // The same rows with the label in its usual column train the same network bit for bit: the label was read from "Label".
        using var reference = ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { Network = Small, Seed = 3, BatchSize = 128 }).Fit(RenamedLabel(ml, "Unused", keepClick: true));
        Assert.AreEqual(128, model.Model.Options.BatchSize);
        CollectionAssert.AreEqual(reference.Model.Losses.ToArray(), model.Model.Losses.ToArray());
        var test = Load(DatasetSplit.SubTest);
        CollectionAssert.AreEqual(reference.Transform(test).GetColumn<float>("Score").ToArray(), model.Transform(test).GetColumn<float>("Score").ToArray());

        var missing = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { LabelColumnName = "Clicked", Network = Small }).Fit(RenamedLabel(ml, "Label")));
        StringAssert.Contains(missing.Message, "Column 'Clicked' not found");
    }

    [TestMethod]
    public void Without_a_seed_the_trainer_takes_the_MLContexts_seed_and_writes_to_its_log()
    {
        int Expected(int contextSeed) => ((Microsoft.ML.Runtime.IHostEnvironment)new MLContext(contextSeed)).Register("KeepDnn").Rand.Next();
        var options = new KeepDnnEstimator.Options { Network = Small };
        Assert.AreEqual(Expected(5), new MLContext(5).BinaryClassification.Trainers.KeepDnn(options).Seed);
        Assert.AreEqual(Expected(6), new KeepDnnEstimator(new MLContext(6), options).Seed);
        Assert.AreEqual(Small.Seed, new KeepDnnEstimator(null, options).Seed, "no context: the network options' seed");
        Assert.AreEqual(11, new MLContext(5).BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { Network = Small, Seed = 11 }).Seed);

        var ml = new MLContext(5);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("KeepDnn", StringComparison.Ordinal)) log.Enqueue(e.Message); };
        using var model = ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { Network = Small, LabelColumnName = "Label" }).Fit(RenamedLabel(ml, "Label"));
        Assert.IsTrue(log.Any(m => m.Contains($"Training a KEEP DNN on label 'Label'", StringComparison.Ordinal) && m.Contains($"seed {Expected(5)}", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.Contains("Trained: final loss", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void A_cart_model_learns_from_the_clicked_rows_the_Click_column_marks_as_the_trainer_does()
    {
        var options = Small with { Label = KEEP.MLNet.Pretraining.PretrainingTask.Cart, Seed = 5 };
        using var estimated = new KeepDnnEstimator(options).Fit(Load(DatasetSplit.SubTrain));
        // The same view read with all three labels: the trainer's own row filter (clicked rows for a cart model).
        var view = Load(DatasetSplit.SubTrain);
        using var trained = new KeepDnnTrainer(options).Fit(() => DataViewImpressions.Read(view, new ImpressionColumnNames(), withLabels: true));
        CollectionAssert.AreEqual(trained.Losses.ToArray(), estimated.Model.Losses.ToArray());
    }

    [TestMethod]
    public void Output_columns_take_the_names_given_and_an_input_Score_column_survives_scoring_saving_and_loading()
    {
        var ml = new MLContext(1);
        // An input column called Score (another model's, say): the KEEP DNN writing DnnScore must leave it alone.
        IDataView WithScore(DatasetSplit split) => ml.Transforms.CopyColumns("Score", ImpressionColumns.UserId).Fit(Load(split)).Transform(Load(split));
        var options = new KeepDnnEstimator.Options
        {
            Network = Small, Seed = 4, Epochs = 1,
            ScoreColumnName = "DnnScore", ProbabilityColumnName = "DnnProbability", PredictedLabelColumnName = "DnnClicked",
        };
        var estimator = ml.BinaryClassification.Trainers.KeepDnn(options);
        var shape = estimator.GetOutputSchema(Shapes.Of(WithScore(DatasetSplit.SubTest).Schema));
        Assert.AreEqual(NumberDataViewType.Single, shape.Single(c => c.Name == "DnnProbability").ItemType);
        Assert.AreEqual(BooleanDataViewType.Instance, shape.Single(c => c.Name == "DnnClicked").ItemType);
        Assert.IsFalse(shape.Any(c => c.Name == "Probability" || c.Name == "PredictedLabel"));

        using var named = estimator.Fit(WithScore(DatasetSplit.SubTrain));
        using var reference = ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { Network = Small, Seed = 4, Epochs = 1 }).Fit(Load(DatasetSplit.SubTrain));
        var test = WithScore(DatasetSplit.SubTest);
        var users = test.GetColumn<int>(ImpressionColumns.UserId).ToArray();
        var expected = reference.Transform(Load(DatasetSplit.SubTest)).GetColumn<float>("Probability").ToArray();

        void Check(ITransformer model, double tolerance, string what)
        {
            var scored = model.Transform(test);
            var probability = scored.GetColumn<float>("DnnProbability").ToArray();
            Assert.HasCount(expected.Length, probability, what);
            for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], probability[i], tolerance, $"{what}, row {i}");
            var logit = scored.GetColumn<float>("DnnScore").ToArray();
            Assert.IsTrue(logit.Zip(probability).All(p => Math.Abs(1 / (1 + Math.Exp(-p.First)) - p.Second) < 1e-5), what);
            Assert.IsTrue(scored.GetColumn<bool>("DnnClicked").Zip(probability).All(p => p.First == p.Second > 0.5f), what);
            CollectionAssert.AreEqual(users, scored.GetColumn<int>("Score").ToArray(), $"{what}: the input's Score column");
            Assert.IsFalse(scored.Schema.Any(c => c.Name.StartsWith("KeepStaged", StringComparison.Ordinal) || c.Name == "Probability"), what);
        }

        Check(named, 1e-6, "batched transform");
        string path = Path.Combine(TestWorlds.TempFolder("dnn-named-zip"), "named.zip");
        ml.Model.Save(named, test.Schema, path);
        Check(KeepModel.Load(new MLContext(2), path, out _), 1e-4, "loaded zip");

        Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnEstimator.Options { Network = Small, ProbabilityColumnName = "Score" }));
    }
}
