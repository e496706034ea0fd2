using KEEP.MLNet.Layers;
using KEEP.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

[TestClass]
public sealed class RowwiseAdamTests
{
    private const double Lr = 0.01;

    /// <summary>A network with one set of tables and a dense head; the loss reads user ids and item ids.</summary>
    private sealed class Net : nn.Module
    {
        public readonly FeatureEmbeddings Embeddings = new(30, 40, 10, 5, 4, 3);
        public readonly TorchSharp.Modules.Linear Head = nn.Linear(13, 1);
        public Net() : base(nameof(Net)) => RegisterComponents();

        public Tensor Loss(long[] users, long[] items, long[] history)
        {
            var u = Embeddings.User(tensor(users));
            var i = Embeddings.Item(tensor(items), tensor(items.Select(x => x % 10).ToArray()), tensor(items.Select(x => x % 5).ToArray()));
            var h = Embeddings.Item(tensor(history), tensor(history.Select(x => x % 10).ToArray()), tensor(history.Select(x => x % 5).ToArray()));
            return Head.forward(cat([u, i + h, ones(users.Length, 0)], 1)).pow(2).mean() + (u * u).sum() * 0.1;
        }
    }

    private static Net Create()
    {
        var net = SeededInitialisation.Create(3, () => new Net());
        return net;
    }

    private static (long[] Users, long[] Items, long[] History) Batch(int step, int maxUser, int maxItem)
    {
        var random = new Random(100 + step);
        long[] Draw(int n, int max) => [.. Enumerable.Range(0, n).Select(_ => (long)random.Next(0, max))]; // includes 0 (padding)
        return (Draw(6, maxUser), Draw(6, maxItem), Draw(6, maxItem));
    }

    [TestMethod]
    public void Rows_follow_an_independent_lazy_adam_and_untouched_rows_and_padding_do_not_move()
    {
        using var net = Create();
        var tables = ((IRowwiseEmbeddings)net.Embeddings).Tables;
        var before = tables.Select(t => t.weight!.data<float>().ToArray()).ToArray();
        int dim(int t) => (int)tables[t].weight!.shape[1];
        // The reference: per table, per row, m and v in double, updated only when the row's gradient is reported.
        var m = tables.Select(t => new double[t.weight!.NumberOfElements]).ToArray();
        var v = tables.Select(t => new double[t.weight!.NumberOfElements]).ToArray();
        var expected = before.Select(w => w.Select(x => (double)x).ToArray()).ToArray();
        var everTouched = tables.Select(t => new HashSet<long>()).ToArray();

        net.train();
        using var optimizer = TrainingOptimizer.Adam(net, Lr, EmbeddingUpdates.RowwiseAdam);
        for (int step = 1; step <= 6; step++)
        {
            var (users, items, history) = Batch(step, 12, 25); // rows 12.. of the user table, 25.. of items are never looked up
            // Gradients of the same loss through plain dense lookups give the reference's per-row gradients.
            var dense = DenseGradients(net, users, items, history);
            optimizer.ZeroGrad();
            using (var scope = NewDisposeScope())
            {
                net.Loss(users, items, history).backward();
                optimizer.ApplyGradients();
            }
            double c1 = 1 - Math.Pow(0.9, step), c2 = Math.Sqrt(1 - Math.Pow(0.999, step));
            for (int t = 0; t < tables.Count; t++)
            {
                int d = dim(t);
                var touched = new HashSet<long>(t == 0 ? users : items.Concat(history).Select(x => t switch { 1 => x, 2 => x % 10, _ => x % 5 }));
                foreach (long row in touched)
                {
                    everTouched[t].Add(row);
                    for (int k = 0; k < d; k++)
                    {
                        long at = row * d + k;
                        double g = dense[t][at];
                        m[t][at] = 0.9 * m[t][at] + 0.1 * g;
                        v[t][at] = 0.999 * v[t][at] + 0.001 * g * g;
                        expected[t][at] -= Lr / c1 * m[t][at] / (Math.Sqrt(v[t][at]) / c2 + 1e-8);
                    }
                }
            }
        }
        for (int t = 0; t < tables.Count; t++)
        {
            var actual = tables[t].weight!.data<float>().ToArray();
            int d = dim(t);
            for (int i = 0; i < actual.Length; i++)
            {
                long row = i / d;
                if (!everTouched[t].Contains(row) || row == 0)
                    Assert.AreEqual(before[t][i], actual[i], $"table {t} row {row} must not move (untouched or padding)");
                else
                    Assert.AreEqual(expected[t][i], actual[i], 2e-5, $"table {t} row {row}");
            }
            Assert.IsTrue(actual.Take(d).All(x => x == 0), "padding row stays zero");
        }
    }

    [TestMethod]
    public void With_every_row_touched_every_step_it_equals_dense_adam()
    {
        using var lazyNet = Create();
        using var denseNet = Create();
        using var lazy = TrainingOptimizer.Adam(lazyNet, Lr, EmbeddingUpdates.RowwiseAdam);
        using var dense = TrainingOptimizer.Adam(denseNet, Lr, EmbeddingUpdates.DenseAdam);
        lazyNet.train();
        denseNet.train();
        long[] all = [.. Enumerable.Range(1, 29).Select(i => (long)i)];
        for (int step = 0; step < 5; step++)
        {
            long[] users = [.. all.Select(i => (i * (step + 3)) % 29 + 1)];
            foreach (var (net, optimizer) in new[] { (lazyNet, lazy), (denseNet, dense) })
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                net.Embeddings.User(tensor(users)).pow(2).sum().backward();
                optimizer.ApplyGradients();
            }
        }
        var a = lazyNet.Embeddings.UserTable.weight!.data<float>().ToArray();
        var b = denseNet.Embeddings.UserTable.weight!.data<float>().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.AreEqual(b[i], a[i], 1e-6, $"entry {i}");
    }

    [TestMethod]
    public void State_saved_and_loaded_continues_exactly()
    {
        using var one = Create();
        using var two = Create();
        using var first = TrainingOptimizer.Adam(one, Lr, EmbeddingUpdates.RowwiseAdam);
        one.train();
        two.train();
        void Train(Net net, ITrainingOptimizer optimizer, int from, int to)
        {
            for (int step = from; step < to; step++)
            {
                using var scope = NewDisposeScope();
                var (users, items, history) = Batch(step, 30, 40);
                optimizer.ZeroGrad();
                net.Loss(users, items, history).backward();
                optimizer.ApplyGradients();
            }
        }
        Train(one, first, 0, 3);
        var state = new MemoryStream();
        first.Save(state);
        foreach (var (p, q) in one.parameters().Zip(two.parameters())) { using var _ = no_grad(); q.copy_(p); }
        using var second = TrainingOptimizer.Adam(two, Lr, EmbeddingUpdates.RowwiseAdam);
        second.Load(new MemoryStream(state.ToArray()));
        Train(one, first, 3, 6);
        Train(two, second, 3, 6);
        foreach (var (p, q) in one.parameters().Zip(two.parameters()))
            CollectionAssert.AreEqual(p.data<float>().ToArray(), q.data<float>().ToArray());
    }

    /// <summary>Per-table gradients of the loss with ordinary lookups (a copy of the network, so nothing is updated).</summary>
    private static double[][] DenseGradients(Net net, long[] users, long[] items, long[] history)
    {
        using var copy = Create();
        using (no_grad()) foreach (var (p, q) in net.parameters().Zip(copy.parameters())) q.copy_(p);
        copy.train();
        using var scope = NewDisposeScope();
        copy.Loss(users, items, history).backward();
        return [.. ((IRowwiseEmbeddings)copy.Embeddings).Tables.Select(t => t.weight!.grad!.data<float>().ToArray().Select(x => (double)x).ToArray())];
    }
}
