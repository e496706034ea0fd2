using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Tests.Cli;
using Microsoft.ML;
using Parquet;
using Parquet.Schema;

namespace KEEP.MLNet.Tests.Knowledge;

[TestClass]
public sealed class FreshProcessTests
{
    [TestMethod]
    public void Knowledge_zip_loaded_by_plain_MLNet_in_another_process_gives_the_same_knowledge()
    {
        string folder = TestWorlds.TempFolder("fresh");
        string zip = Path.Combine(folder, "knowledge.zip");
        string data = TestWorlds.Tiny.Files[DatasetSplit.SubTest];
        var ml = new MLContext(1);
        var view = ImpressionFile.Load(data, 50);
        KnowledgeModelFile.Save(ml, ml.Transforms.KeepKnowledge(TestModels.TinyModel).Fit(view), view.Schema, zip);

        // Another process, plain mlContext.Model.Load (the --portable path), row by row through ONNX.
        string portable = Path.Combine(folder, "portable.parquet");
        var (code, output) = CliRunner.RunInNewProcess("extract", "--model", zip, "--data", data, "--out", portable, "--portable", "--quiet");
        Assert.AreEqual(0, code, output);

        // This process, the batched TorchSharp path read from the same file's checkpoint.
        string fast = Path.Combine(folder, "fast.parquet");
        (code, output) = CliRunner.Run("extract", "--model", zip, "--data", data, "--out", fast, "--quiet");
        Assert.AreEqual(0, code, output);

        var expected = ImpressionFile.Read(data).SelectMany(b => TestModels.TinyModel.Extract(b).Interaction).ToArray();
        var fromPortable = ReadFloats(portable, "K_ui");
        var fromFast = ReadFloats(fast, "K_ui");
        Assert.HasCount(expected.Length, fromPortable);
        // Same network; only the block sizes (and so BLAS rounding) differ from the reference extraction.
        double fastMax = expected.Select((v, i) => Math.Abs(v - fromFast[i])).Max();
        Assert.IsLessThan(1e-5, fastMax, $"batched path: max difference {fastMax}");
        double max = expected.Select((v, i) => Math.Abs(v - fromPortable[i])).Max();
        Assert.IsLessThan(1e-4, max, $"portable path: max difference {max}");
    }

    [TestMethod]
    public void A_plain_MLNet_zip_without_a_checkpoint_is_reported_clearly()
    {
        string folder = TestWorlds.TempFolder("plain");
        string zip = Path.Combine(folder, "plain.zip");
        var ml = new MLContext(1);
        var view = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        ml.Model.Save(ml.Transforms.KeepKnowledge(TestModels.TinyModel).Fit(view), view.Schema, zip);
        Assert.IsFalse(KnowledgeModelFile.HasCheckpoint(zip));
        var e = Assert.ThrowsExactly<DataFormatException>(() => KnowledgeModelFile.LoadCheckpoint(zip));
        StringAssert.Contains(e.Message, "no KEEP checkpoint");
    }

    /// <summary>Every float of a Parquet column: a list column flattened, or a scalar column.</summary>
    internal static float[] ReadFloats(string path, string column)
    {
        using var stream = File.OpenRead(path);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try
        {
            var schemaField = reader.Schema.Fields.Single(f => f.Name == column);
            var values = new List<float>();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var group = reader.OpenRowGroupReader(g);
                if (schemaField is DataField scalar)
                {
                    var flat = new float[group.RowCount];
                    group.ReadAsync<float>(scalar, flat.AsMemory()).AsTask().GetAwaiter().GetResult();
                    values.AddRange(flat);
                    continue;
                }
                var field = (DataField)((ListField)schemaField).Item;
                long levels = group.GetMetadata(field)!.MetaData!.NumValues;
                var buffer = new float[levels];
                group.ReadRawAsync<float>(field, buffer.AsMemory(), new int[levels].AsMemory(), new int[levels].AsMemory()).AsTask().GetAwaiter().GetResult();
                values.AddRange(buffer);
            }
            return [.. values];
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
