using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Serving.Compression;

/// <summary>
/// Compresses a pre-trained model's knowledge for caching (paper §4). Decomposition: a
/// <see cref="TwoTowerStudent"/> is distilled on sampled super-domain rows so that K̂_u ⊙ K̂_i ≈ K_ui
/// (MSE). Degeneration: K̂_uc is the pre-trained network's K_ui with the item (and its shop) replaced by
/// unknown ids, keeping only the category, for the user's latest behaviours. Tables are built for the
/// users, items and (user, category) pairs of the rows to be served.
/// </summary>
public sealed class KnowledgeCompressor
{
    /// <summary>The raw id used for "no item" and "no shop": never in a vocabulary, so it maps to the unknown row.</summary>
    internal const int UnknownId = int.MaxValue;
    private const int Block = 4096;
    private readonly KnowledgeCompressionOptions _options;

    /// <summary>Creates the compressor.</summary>
    public KnowledgeCompressor(KnowledgeCompressionOptions? options = null)
    {
        _options = options ?? new KnowledgeCompressionOptions();
        _options.Validate();
    }

    /// <summary>Distils the student on <paramref name="superRows"/> and builds tables for <paramref name="servedRows"/>.</summary>
    public CompressedKnowledge Fit(PretrainedModel model, Func<IEnumerable<ImpressionBatch>> superRows, Func<IEnumerable<ImpressionBatch>> servedRows, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(superRows);
        ArgumentNullException.ThrowIfNull(servedRows);
        var sample = Sample(superRows);
        progress?.Report($"distilling the two-tower student on {sample.Count:N0} sampled rows");
        var (ku, ki, kui) = Knowledge(model, sample);
        int n = sample.Count, uDim = model.UserKnowledgeDim, iDim = model.ItemKnowledgeDim, d = model.InteractionKnowledgeDim;
        int holdout = Math.Max(1, (int)(n * _options.HoldoutShare)), train = n - holdout;
        using var student = Layers.SeededInitialisation.Create(_options.Seed, () => new TwoTowerStudent(uDim, iDim, _options.Hidden, d));
        using var all = NewDisposeScope();
        var tu = tensor(ku, [n, uDim]);
        var ti = tensor(ki, [n, iDim]);
        var target = tensor(kui, [n, d]);
        Train(student, tu[..train], ti[..train], target[..train]);
        double trainR2, holdoutR2;
        using (no_grad())
        {
            trainR2 = R2(student.forward(tu[..train], ti[..train]), target[..train]);
            holdoutR2 = R2(student.forward(tu[train..], ti[train..]), target[train..]);
        }
        var (_, _, degenerate) = Knowledge(model, Degenerate(sample, train));
        double degenerationR2 = R2(tensor(degenerate, [holdout, d]), target[train..]);
        progress?.Report($"building cache tables (fit R²: decomposition {holdoutR2:F3}, degeneration {degenerationR2:F3})");
        var (users, items, pairs) = Tables(model, student, servedRows);
        return new CompressedKnowledge(users, items, pairs, uDim, iDim, new CompressionFit(trainR2, holdoutR2, degenerationR2, n));
    }

    /// <summary>A uniform sample of about <see cref="KnowledgeCompressionOptions.TrainingRows"/> rows, shuffled.</summary>
    private ImpressionBatch Sample(Func<IEnumerable<ImpressionBatch>> rows)
    {
        long total = rows().Sum(b => (long)b.Count);
        if (total == 0) throw new ArgumentException("The super-domain rows are empty.", nameof(rows));
        double keep = Math.Min(1.0, (double)_options.TrainingRows / total);
        var random = new SeededRandom(_options.Seed, stream: 3);
        var picked = new ImpressionBatch(Math.Min(_options.TrainingRows + 1024, (int)Math.Min(total, int.MaxValue)));
        foreach (var batch in rows())
            for (int r = 0; r < batch.Count; r++)
                if (random.Bernoulli(keep)) picked.AddRow(batch, r);
        var order = Enumerable.Range(0, picked.Count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var shuffled = new ImpressionBatch(picked.Count);
        foreach (int r in order) shuffled.AddRow(picked, r);
        return shuffled;
    }

    private static (float[] User, float[] Item, float[] Interaction) Knowledge(PretrainedModel model, ImpressionBatch rows)
    {
        var user = new List<float>(rows.Count * model.UserKnowledgeDim);
        var item = new List<float>(rows.Count * model.ItemKnowledgeDim);
        var interaction = new List<float>(rows.Count * model.InteractionKnowledgeDim);
        for (int start = 0; start < rows.Count; start += Block)
        {
            var block = model.Extract(rows, start, Math.Min(Block, rows.Count - start));
            user.AddRange(block.User);
            item.AddRange(block.Item);
            interaction.AddRange(block.Interaction);
        }
        return ([.. user], [.. item], [.. interaction]);
    }

    /// <summary>Epochs over the sampled rows in a seeded random order, MSE between K̂_u ⊙ K̂_i and K_ui, through the training engine.</summary>
    private void Train(TwoTowerStudent student, Tensor user, Tensor item, Tensor target)
    {
        student.train();
        using var optimizer = TrainingOptimizer.Adam(student, _options.LearningRate, EmbeddingUpdates.DenseAdam);
        long n = user.shape[0];
        var generator = new Generator().manual_seed(_options.Seed);
        IEnumerable<long[]> Blocks(int epoch)
        {
            long[] order;
            using (var permutation = randperm(n, generator: generator)) order = permutation.data<long>().ToArray();
            for (long start = 0; start < n; start += _options.BatchSize)
                yield return order[(int)start..(int)Math.Min(n, start + _options.BatchSize)];
        }
        TrainingEngine.Run(new TrainingRun<long[]> { Stage = "decomposition", Batches = Blocks, Epochs = _options.Epochs }, TrainingStep.From(
            (long[] rows) => rows,
            rows =>
            {
                var index = tensor(rows);
                return new StepLoss(nn.functional.mse_loss(student.forward(user[index], item[index]), target[index]), [], rows.Length);
            }), optimizer);
        student.eval();
    }

    /// <summary>1 − SSE / SST over all entries, SST around each column's mean.</summary>
    private static double R2(Tensor predicted, Tensor target)
    {
        using var scope = NewDisposeScope();
        double sse = (predicted - target).Power(2).sum().item<float>();
        double sst = (target - target.mean([0], keepdim: true)).Power(2).sum().item<float>();
        return 1 - sse / sst;
    }

    /// <summary>Rows <paramref name="from"/>.. of <paramref name="rows"/> with the item and shop replaced by unknown ids (category kept).</summary>
    private static ImpressionBatch Degenerate(ImpressionBatch rows, int from)
    {
        var result = new ImpressionBatch(rows.Count - from);
        for (int r = from; r < rows.Count; r++)
            result.Add(rows.Day[r], rows.UserId[r], UnknownId, UnknownId, rows.CategoryId[r],
                rows.HistoryItemsOf(r), rows.HistoryShopsOf(r), rows.HistoryCategoriesOf(r), false, false, false);
        return result;
    }

    /// <summary>Per user [K_u, K̂_u], per item [K_i, K̂_i], per (user, category) the degenerate K_uc, for the served rows.</summary>
    private static (KnowledgeTable Users, KnowledgeTable Items, KnowledgeTable Pairs) Tables(PretrainedModel model, TwoTowerStudent student, Func<IEnumerable<ImpressionBatch>> rows)
    {
        var latest = new Dictionary<int, (ImpressionBatch Batch, int Row)>();
        var items = new Dictionary<int, (int Shop, int Category)>();
        var pairs = new HashSet<long>();
        foreach (var batch in rows())
            for (int r = 0; r < batch.Count; r++)
            {
                int user = batch.UserId[r];
                latest[user] = (batch, r);
                items[batch.ItemId[r]] = (batch.ShopId[r], batch.CategoryId[r]);
                pairs.Add(KnowledgeTable.UserCategoryKey(user, batch.CategoryId[r]));
                foreach (int category in batch.HistoryCategoriesOf(r)) pairs.Add(KnowledgeTable.UserCategoryKey(user, category));
            }
        var userRows = new ImpressionBatch(Math.Max(1, latest.Count));
        foreach (var (_, (batch, r)) in latest) userRows.AddRow(batch, r);
        var itemRows = new ImpressionBatch(Math.Max(1, items.Count));
        foreach (var (item, (shop, category)) in items) itemRows.Add(0, 0, item, shop, category, [], [], [], false, false, false);
        var pairRows = new ImpressionBatch(Math.Max(1, pairs.Count));
        foreach (long key in pairs)
        {
            var (batch, r) = latest[(int)(key >> 32)];
            pairRows.Add(0, (int)(key >> 32), UnknownId, UnknownId, (int)(uint)key, batch.HistoryItemsOf(r), batch.HistoryShopsOf(r), batch.HistoryCategoriesOf(r), false, false, false);
        }
        int d = model.InteractionKnowledgeDim;
        var users = new KnowledgeTable(KnowledgeTableKind.User, model.UserKnowledgeDim + d, [.. latest.Keys.Select(u => (long)u)],
            WithStudent(model, userRows, k => k.User, model.UserKnowledgeDim, student.User, d));
        var itemTable = new KnowledgeTable(KnowledgeTableKind.Item, model.ItemKnowledgeDim + d, [.. items.Keys.Select(i => (long)i)],
            WithStudent(model, itemRows, k => k.Item, model.ItemKnowledgeDim, student.Item, d));
        var pairValues = new float[pairs.Count * d];
        for (int start = 0; start < pairRows.Count; start += Block)
            model.Extract(pairRows, start, Math.Min(Block, pairRows.Count - start)).Interaction.CopyTo(pairValues, start * d);
        return (users, itemTable, new KnowledgeTable(KnowledgeTableKind.UserCategory, d, [.. pairs], pairValues));
    }

    /// <summary>Each row's K_u (or K_i) followed by the student tower's K̂_u (or K̂_i), row-major.</summary>
    private static float[] WithStudent(PretrainedModel model, ImpressionBatch rows, Func<KnowledgeBlock, float[]> part, int width, Func<Tensor, Tensor> tower, int d)
    {
        var values = new float[rows.Count * (width + d)];
        for (int start = 0; start < rows.Count; start += Block)
        {
            int count = Math.Min(Block, rows.Count - start);
            var own = part(model.Extract(rows, start, count));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var hat = tower(tensor(own, [count, width])).data<float>().ToArray();
            for (int r = 0; r < count; r++)
            {
                own.AsSpan(r * width, width).CopyTo(values.AsSpan((start + r) * (width + d), width));
                hat.AsSpan(r * d, d).CopyTo(values.AsSpan((start + r) * (width + d) + width, d));
            }
        }
        return values;
    }
}
