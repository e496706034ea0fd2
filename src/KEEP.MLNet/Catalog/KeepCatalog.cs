using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using Microsoft.ML.Trainers;
using KEEP.MLNet.Pretraining;

// Declared in Microsoft.ML so the methods appear next to ML.NET's own, with no extra using.
namespace Microsoft.ML;

/// <summary>KEEP's catalog extensions.</summary>
public static class KeepCatalog
{
    /// <summary>
    /// Adds KEEP knowledge columns (K_u, K_i, K_ui) computed by a pre-trained model from its checkpoint file.
    /// Histories must be fixed-length Int32 vectors (see <c>ImpressionFile.Load(path, historyLength)</c>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="checkpointPath">A checkpoint written by <c>keep pretrain</c> or <see cref="PretrainedModel.Save(string)"/>.</param>
    /// <param name="emit">Which knowledge to add.</param>
    public static KnowledgeExtractionEstimator KeepKnowledge(this TransformsCatalog catalog, string checkpointPath, KnowledgeKinds emit = KnowledgeKinds.All)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KnowledgeExtractionEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), new KnowledgeExtractionOptions { CheckpointPath = checkpointPath, Emit = emit });
    }

    /// <summary>Adds KEEP knowledge columns computed by an in-memory pre-trained model.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The pre-trained model (not disposed by the transformer).</param>
    /// <param name="emit">Which knowledge to add.</param>
    public static KnowledgeExtractionEstimator KeepKnowledge(this TransformsCatalog catalog, PretrainedModel model, KnowledgeKinds emit = KnowledgeKinds.All)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KnowledgeExtractionEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), new KnowledgeExtractionOptions { Model = model, Emit = emit });
    }

    /// <summary>Adds KEEP knowledge columns with full control: column names, a model, a checkpoint, or pre-training on <c>Fit</c>'s input.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    public static KnowledgeExtractionEstimator KeepKnowledge(this TransformsCatalog catalog, KnowledgeExtractionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KnowledgeExtractionEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>
    /// Group AUC (the paper's metric): impression-weighted per-user AUC, with overall AUC, log-loss (when a
    /// probability column is given), and counts of groups used and skipped. Same label conventions as
    /// <c>Evaluate</c>: label &gt; 0 is positive, ties count ½, NaN labels are skipped and counted.
    /// </summary>
    /// <remarks>Parameters in the order of ML.NET's ranking <c>Evaluate(data, label, rowGroup, score)</c>. Before 0.8 the score
    /// came before the group; calls that name their arguments work either way.</remarks>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">Label column (Boolean, Single or Double).</param>
    /// <param name="rowGroupColumnName">Group column, usually the user id.</param>
    /// <param name="scoreColumnName">Score column (Single).</param>
    /// <param name="probabilityColumnName">Optional probability column for log-loss.</param>
    public static GaucMetrics EvaluateGauc(this BinaryClassificationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string rowGroupColumnName = "UserId", string scoreColumnName = "Score", string? probabilityColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return GaucEvaluator.Evaluate(data, labelColumnName, scoreColumnName, rowGroupColumnName, probabilityColumnName);
    }

    /// <summary>
    /// Plugs KEEP knowledge from a pre-trained model into any binary trainer: the chosen knowledge columns are
    /// appended to the trainer's feature column (paper §3.3 for models without dense layers to add to).
    /// </summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="trainer">Any ML.NET binary trainer, e.g. <c>FastTree()</c>.</param>
    /// <param name="model">The pre-trained knowledge model.</param>
    /// <param name="options">Which knowledge; the feature column.</param>
    /// <remarks>Preferred over the other overloads for a literal <c>null</c> model, which is refused by name at run time.</remarks>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static KnowledgePluginEstimator<TModel> KeepPlugin<TModel>(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        ITrainerEstimator<ISingleFeaturePredictionTransformer<TModel>, TModel> trainer, PretrainedModel model, KnowledgePluginOptions? options = null)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (model == null) throw new ArgumentNullException(nameof(model), "The plug-in needs a pre-trained model; to train without knowledge, use the trainer alone.");
        return new KnowledgePluginEstimator<TModel>(KEEP.MLNet.CatalogEnvironment.Of(catalog), trainer, new KnowledgeExtractionOptions { Model = model }, options);
    }

    /// <summary>Plugs KEEP knowledge from a checkpoint or knowledge model file into any binary trainer.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="trainer">Any ML.NET binary trainer.</param>
    /// <param name="knowledge">Where the knowledge comes from and the input column names.</param>
    /// <param name="options">Which knowledge; the feature column.</param>
    public static KnowledgePluginEstimator<TModel> KeepPlugin<TModel>(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        ITrainerEstimator<ISingleFeaturePredictionTransformer<TModel>, TModel> trainer, KnowledgeExtractionOptions knowledge, KnowledgePluginOptions? options = null)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KnowledgePluginEstimator<TModel>(KEEP.MLNet.CatalogEnvironment.Of(catalog), trainer, knowledge, options);
    }

    /// <summary>Plugs ROK knowledge (instance-wise and/or feature-wise columns) into any binary trainer.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="trainer">Any ML.NET binary trainer.</param>
    /// <param name="rok">The knowledge base or its checkpoint, which columns to add, the input column names.</param>
    /// <param name="featureColumnName">The trainer's feature column; null: the trainer's own.</param>
    public static KnowledgePluginEstimator<TModel> KeepPlugin<TModel>(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        ITrainerEstimator<ISingleFeaturePredictionTransformer<TModel>, TModel> trainer, KEEP.MLNet.Retrieval.RokKnowledgeOptions rok, string? featureColumnName = null)
        where TModel : class
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KnowledgePluginEstimator<TModel>(KEEP.MLNet.CatalogEnvironment.Of(catalog), trainer, rok, featureColumnName);
    }

    /// <summary>
    /// The downstream KEEP DNN (paper §3.3): a DIN-style CTR model whose dense layer m gets h + MLP(K(u, i))
    /// from <paramref name="knowledge"/> when given. Scores like ML.NET's calibrated binary classifiers
    /// (Score, Probability, PredictedLabel) and saves to an ordinary ML.NET zip.
    /// </summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">Architecture and training settings; null: the defaults.</param>
    /// <param name="knowledge">Pre-trained knowledge to plug in; null trains the base model.</param>
    /// <param name="warmStart">A previously trained downstream model to start from (its parameters are copied; the plug-in starts at zero).</param>
    /// <remarks><c>KeepDnn(options, null)</c> binds here: the base model without knowledge.</remarks>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static KeepDnnEstimator KeepDnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        KeepDnnOptions? options = null, PretrainedModel? knowledge = null, KEEP.MLNet.Plugin.KeepDnn? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Dnn(catalog, options, knowledge == null ? null : new ExactKnowledge(knowledge, (options ?? new KeepDnnOptions()).Knowledge), warmStart);
    }

    /// <summary>
    /// The downstream KEEP DNN in ML.NET's trainer-options form: label and input column names, batch size, epochs,
    /// checkpointing, knowledge, warm start. Without <see cref="KeepDnnEstimator.Options.Seed"/>, the seed is drawn from
    /// this catalog's <c>MLContext</c>, whose log also receives the training progress.
    /// </summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">The trainer options.</param>
    public static KeepDnnEstimator KeepDnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, KeepDnnEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KeepDnnEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), options);
    }

    private static KeepDnnEstimator Dnn(BinaryClassificationCatalog.BinaryClassificationTrainers catalog, KeepDnnOptions? options, IKnowledgeSource? knowledge, KEEP.MLNet.Plugin.KeepDnn? warmStart)
    {
        var network = options ?? new KeepDnnOptions();
        // The network options carry their own seed here (the overloads predate the context's); the context's log is used.
        return new KeepDnnEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), new KeepDnnEstimator.Options { Network = network, Seed = network.Seed, Knowledge = knowledge, WarmStart = warmStart });
    }

    /// <summary>
    /// The downstream KEEP DNN with knowledge from any source: ROK (<c>new RokKnowledge(rok)</c>), KEEP and
    /// ROK together (<c>new CombinedKnowledge(new ExactKnowledge(keep), new RokKnowledge(rok))</c>), or a store.
    /// </summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">Architecture and training settings; null: the defaults.</param>
    /// <param name="knowledge">Where the plug-in's knowledge comes from (not disposed).</param>
    /// <param name="warmStart">A previously trained downstream model to start from.</param>
    public static KeepDnnEstimator KeepDnn(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        KeepDnnOptions? options, IKnowledgeSource knowledge, KEEP.MLNet.Plugin.KeepDnn? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(knowledge);
        return Dnn(catalog, options, knowledge, warmStart);
    }

    /// <summary>
    /// Adds ROK knowledge columns (instance-wise <c>ROK</c>, feature-wise <c>ROK_fields</c>) computed by a
    /// trained knowledge base from the rows' own ids — no retrieval at inference.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The knowledge base (not disposed by the transformer).</param>
    /// <param name="emit">Which knowledge to add.</param>
    public static KEEP.MLNet.Retrieval.RokKnowledgeEstimator RokKnowledge(this TransformsCatalog catalog, KEEP.MLNet.Retrieval.RokModel model,
        KEEP.MLNet.Retrieval.RokKnowledgeKinds emit = KEEP.MLNet.Retrieval.RokKnowledgeKinds.Both)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new KEEP.MLNet.Retrieval.RokKnowledgeEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), new KEEP.MLNet.Retrieval.RokKnowledgeOptions { Model = model, Emit = emit });
    }

    /// <summary>Adds ROK knowledge columns with full control: a model, a checkpoint, or training ROK on <c>Fit</c>'s input.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options.</param>
    public static KEEP.MLNet.Retrieval.RokKnowledgeEstimator RokKnowledge(this TransformsCatalog catalog, KEEP.MLNet.Retrieval.RokKnowledgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KEEP.MLNet.Retrieval.RokKnowledgeEstimator(KEEP.MLNet.CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>
    /// Adds compressed KEEP knowledge read from a knowledge store (file folder or <c>redis://</c>), pinned to
    /// one published version, as one float-vector column (Eq. 6 by default): serving without running the
    /// pre-trained network.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Store, version, layout, column names and the policy when the store is down.</param>
    public static KEEP.MLNet.Serving.CachedKnowledgeEstimator KeepCachedKnowledge(this TransformsCatalog catalog, KEEP.MLNet.Serving.CachedKnowledgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KEEP.MLNet.Serving.CachedKnowledgeEstimator(options);
    }
}
