using KEEP.MLNet.Serving;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class KnowledgeStoreTests
{
    private const int Users = 300, Dimension = 8;

    /// <summary>Values that identify the version and the id, so a mixture of versions would show.</summary>
    private static KnowledgeTable UserTable(int version, int users = Users)
    {
        var ids = Enumerable.Range(0, users).Select(u => (long)(users - u) * 7).ToArray(); // unsorted on purpose
        var values = new float[users * Dimension];
        for (int r = 0; r < users; r++)
            for (int d = 0; d < Dimension; d++) values[r * Dimension + d] = version * 1000 + ids[r] * 0.001f + d;
        return new KnowledgeTable(KnowledgeTableKind.User, Dimension, ids, values);
    }

    private static KnowledgeTable CategoryTable(int version)
        => new(KnowledgeTableKind.UserCategory, 2, [KnowledgeTable.UserCategoryKey(7, 3), KnowledgeTable.UserCategoryKey(7, 4)], [version, 1, version, 2]);

    private static IKnowledgeStore Create(string kind, RedisServer? redis, int maxVersions = 5) => kind == "file"
        ? new FileKnowledgeStore(TestWorlds.TempFolder("store"), maxVersions)
        : new RedisKnowledgeStore(redis!.Configuration, "test", maxVersions);

    private static RedisServer? ServerFor(string kind) => kind == "redis" ? new RedisServer() : null;

    [TestMethod]
    [DataRow("file")]
    [DataRow("redis")]
    public void Published_vectors_read_back_exactly_and_missing_ids_are_reported(string kind)
    {
        using var redis = ServerFor(kind);
        using var store = Create(kind, redis);
        var table = UserTable(1);
        store.Publish("2025-01-01", [table, CategoryTable(1)]);
        Assert.AreEqual(Dimension, store.Dimension("2025-01-01", KnowledgeTableKind.User));
        Assert.AreEqual(0, store.Dimension("2025-01-01", KnowledgeTableKind.Item));

        long[] ids = [table.Ids[5], 123_456, table.Ids[0]];
        var destination = new float[ids.Length * Dimension];
        var found = new bool[ids.Length];
        Assert.AreEqual(2, store.GetMany("2025-01-01", KnowledgeTableKind.User, ids, destination, found));
        CollectionAssert.AreEqual(new[] { true, false, true }, found);
        CollectionAssert.AreEqual(table.Vector(5).ToArray(), destination[..Dimension]);
        CollectionAssert.AreEqual(new float[Dimension], destination[Dimension..(2 * Dimension)]);
        CollectionAssert.AreEqual(table.Vector(0).ToArray(), store.Get("2025-01-01", KnowledgeTableKind.User, table.Ids[0]));
        Assert.IsNull(store.Get("2025-01-01", KnowledgeTableKind.User, 123_456));
        CollectionAssert.AreEqual(new float[] { 1, 2 }, store.Get("2025-01-01", KnowledgeTableKind.UserCategory, KnowledgeTable.UserCategoryKey(7, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => store.Publish("2025-01-01", [table]));

        // The whole table reads back, as embedding a small catalogue needs.
        var all = store.ReadTable("2025-01-01", KnowledgeTableKind.User);
        CollectionAssert.AreEqual(table.Ids, all.Ids);
        CollectionAssert.AreEqual(table.Values, all.Values);
        Assert.ThrowsExactly<ArgumentException>(() => store.ReadTable("2025-01-01", KnowledgeTableKind.Item));
    }

    [TestMethod]
    [DataRow("file")]
    [DataRow("redis")]
    public void Six_versions_published_leave_the_newest_five(string kind)
    {
        using var redis = ServerFor(kind);
        using var store = Create(kind, redis);
        for (int v = 1; v <= 6; v++) store.Publish($"day-{v}", [UserTable(v)]);
        CollectionAssert.AreEqual(new[] { "day-2", "day-3", "day-4", "day-5", "day-6" }, store.Versions().ToArray());
        var e = Assert.ThrowsExactly<KnowledgeVersionNotFoundException>(() => store.Get("day-1", KnowledgeTableKind.User, 7));
        StringAssert.Contains(e.Message, "day-1");
        StringAssert.Contains(e.Message, "day-6");
        Assert.AreEqual(2 * 1000 + 7 * 0.001f, store.Get("day-2", KnowledgeTableKind.User, 7)![0]);
    }

    [TestMethod]
    [DataRow("file")]
    [DataRow("redis")]
    public void Readers_during_publishing_never_see_a_partial_or_mixed_version(string kind)
    {
        using var redis = ServerFor(kind);
        using var writer = Create(kind, redis, maxVersions: 3);
        writer.Publish("v-1", [UserTable(1, 2000)]);
        var ids = UserTable(1, 2000).Ids;
        int checkedReads = 0;
        using var done = new CancellationTokenSource();
        var stores = Enumerable.Range(0, 3).Select(_ => kind == "file" ? new FileKnowledgeStore(writer.Location, 3) : (IKnowledgeStore)new RedisKnowledgeStore(redis!.Configuration, "test", 3)).ToList();
        var readers = stores.Select(reader => Task.Run(() =>
        {
            var destination = new float[ids.Length * Dimension];
            var found = new bool[ids.Length];
            while (!done.IsCancellationRequested)
            {
                string version = reader.Versions()[^1];
                int number = int.Parse(version[2..], System.Globalization.CultureInfo.InvariantCulture);
                int hits;
                try
                {
                    hits = reader.GetMany(version, KnowledgeTableKind.User, ids, destination, found);
                }
                catch (KnowledgeVersionNotFoundException)
                {
                    continue; // removed by retention between listing and reading: allowed, and said clearly
                }
                Assert.AreEqual(ids.Length, hits, $"version {version} is incomplete");
                for (int r = 0; r < ids.Length; r++)
                    Assert.AreEqual(number * 1000 + ids[r] * 0.001f, destination[r * Dimension], $"version {version}, id {ids[r]}");
                Interlocked.Increment(ref checkedReads);
            }
        })).ToArray();
        // Each publish starts only after a reader has checked a version since the last one, so reads interleave with
        // publishing however the thread pool schedules the readers on a loaded machine.
        for (int v = 2; v <= 12; v++)
        {
            int before = Volatile.Read(ref checkedReads);
            Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref checkedReads) > before || readers.Any(r => r.IsFaulted), TimeSpan.FromSeconds(60)), "no reader checked a version");
            if (readers.Any(r => r.IsFaulted)) break;
            writer.Publish($"v-{v}", [UserTable(v, 2000)]);
        }
        done.Cancel();
        Task.WaitAll(readers);
        stores.ForEach(s => s.Dispose());
        Assert.IsGreaterThan(0, checkedReads);
        Assert.HasCount(3, writer.Versions());
    }

    [TestMethod]
    public void File_store_keeps_its_versions_across_a_restart()
    {
        string folder = TestWorlds.TempFolder("store-restart");
        using (var store = new FileKnowledgeStore(folder)) store.Publish("2025-01-01", [UserTable(4)]);
        using var reopened = new FileKnowledgeStore(folder);
        CollectionAssert.AreEqual(new[] { "2025-01-01" }, reopened.Versions().ToArray());
        Assert.AreEqual(4 * 1000 + 7 * 0.001f, reopened.Get("2025-01-01", KnowledgeTableKind.User, 7)![0]);
    }

    [TestMethod]
    [DataRow("file")]
    [DataRow("redis")]
    public void Of_two_concurrent_publishers_of_one_version_exactly_one_wins_and_readers_see_only_its_tables(string kind)
    {
        using var redis = ServerFor(kind);
        string folder = TestWorlds.TempFolder("store-race");
        IKnowledgeStore Open() => kind == "file" ? new FileKnowledgeStore(folder) : new RedisKnowledgeStore(redis!.Configuration, "race");
        using IKnowledgeStore first = Open(), second = Open();
        IKnowledgeStore[] publishers = [first, second];
        const int Large = 20_000; // a staging write long enough that both publishers pass the "is it new?" check
        for (int round = 0; round < 3; round++)
        {
            string version = $"v{round}";
            var outcomes = new Exception?[2];
            var won = new bool[2];
            using var start = new Barrier(2);
            var threads = Enumerable.Range(0, 2).Select(p => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    publishers[p].Publish(version, [UserTable(p + 1, Large), CategoryTable(p + 1)]);
                    won[p] = true;
                }
                catch (Exception e) when (e is ArgumentException or KnowledgeStoreUnavailableException)
                {
                    outcomes[p] = e; // "already published" (lost the commit) or "another publisher holds the lock"
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.AreEqual(1, won.Count(w => w), $"round {round}: exactly one publisher commits ({outcomes.FirstOrDefault(o => o != null)?.Message})");
            int winner = Array.IndexOf(won, true) + 1;
            var expected = UserTable(winner, Large);
            var read = first.ReadTable(version, KnowledgeTableKind.User);
            CollectionAssert.AreEquivalent(expected.Ids, read.Ids);
            Assert.IsTrue(read.Values.All(v => v >= winner * 1000 && v < winner * 1000 + 999), $"round {round}: every vector is the winner's");
            CollectionAssert.AreEqual(new float[] { winner, 2 }, second.Get(version, KnowledgeTableKind.UserCategory, KnowledgeTable.UserCategoryKey(7, 4)));
        }
        CollectionAssert.AreEqual(new[] { "v0", "v1", "v2" }, first.Versions().ToArray());
        if (kind == "redis")
        {
            using var connection = StackExchange.Redis.ConnectionMultiplexer.Connect(redis!.Configuration);
            var server = connection.GetServer(connection.GetEndPoints()[0]);
            Assert.IsEmpty(server.Keys(pattern: "race:staging:*").ToArray(), "the loser's staging keys are removed");
        }
        else Assert.IsEmpty(Directory.GetDirectories(folder, ".staging-*"));
    }

    [TestMethod]
    public void File_store_refuses_a_second_publisher_clearly()
    {
        string folder = TestWorlds.TempFolder("store-locked");
        using var store = new FileKnowledgeStore(folder);
        using var held = new FileStream(Path.Combine(folder, ".publish.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var e = Assert.ThrowsExactly<KnowledgeStoreUnavailableException>(() => store.Publish("x", [UserTable(1)]));
        StringAssert.Contains(e.Message, "another publisher");
        Assert.IsEmpty(store.Versions());
    }

    [TestMethod]
    public void Redis_that_is_not_running_is_a_clear_error()
    {
        var e = Assert.ThrowsExactly<KnowledgeStoreUnavailableException>(() => new RedisKnowledgeStore($"127.0.0.1:{RedisServer.FreePort()}", timeoutMilliseconds: 500));
        StringAssert.Contains(e.Message, "cannot connect to Redis");
    }

    [TestMethod]
    public void Redis_stopping_mid_serving_is_a_clear_error_not_a_crash()
    {
        using var redis = new RedisServer();
        // The default timeout: connecting must not fail on a busy CI machine; the failure after Stop() comes from
        // the closed connection, not from the timeout.
        using var store = new RedisKnowledgeStore(redis.Configuration, "test");
        store.Publish("v", [UserTable(1)]);
        Assert.IsNotNull(store.Get("v", KnowledgeTableKind.User, 7));
        redis.Stop();
        var e = Assert.ThrowsExactly<KnowledgeStoreUnavailableException>(() => store.GetMany("v", KnowledgeTableKind.User, [7L], new float[Dimension], new bool[1]));
        StringAssert.Contains(e.Message, "Redis is unavailable");
    }
}
