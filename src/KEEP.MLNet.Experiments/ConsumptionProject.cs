using System.Globalization;
using System.Text;
using KEEP.MLNet.Data;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// Writes a small console project that consumes a saved model the way Model Builder's generated code does:
/// <c>ModelInput</c> and <c>ModelOutput</c> classes, the model zip, and <c>PredictionEngine</c> code that
/// predicts one example row. The folder carries empty <c>Directory.Build.*</c> and
/// <c>Directory.Packages.props</c> files so that it builds the same wherever it is placed.
/// </summary>
public static class ConsumptionProject
{
    /// <summary>The project file's name (without extension).</summary>
    public const string Name = "KeepConsumption";

    /// <summary>Writes the project into <paramref name="folder"/>.</summary>
    /// <param name="folder">Where to write (created if missing).</param>
    /// <param name="modelZip">The model to copy in as <c>MLModel.zip</c>.</param>
    /// <param name="label">What the model predicts, for the printed line.</param>
    /// <param name="example">A row to predict in the generated <c>Program.cs</c>.</param>
    /// <param name="keepProject">Path of <c>KEEP.MLNet.csproj</c> to reference; null references the KEEP.MLNet package.</param>
    public static string Write(string folder, string modelZip, string label, ImpressionInput example, string? keepProject = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        Directory.CreateDirectory(folder);
        File.Copy(modelZip, Path.Combine(folder, "MLModel.zip"), overwrite: true);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");
        File.WriteAllText(Path.Combine(folder, Name + ".csproj"), Project(keepProject));
        File.WriteAllText(Path.Combine(folder, "ModelInput.cs"), ModelInput);
        File.WriteAllText(Path.Combine(folder, "ModelOutput.cs"), ModelOutput);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), Program(label, example));
        return Path.Combine(folder, Name + ".csproj");
    }

    private static string Project(string? keepProject)
    {
        string reference = keepProject == null
            ? "    <PackageReference Include=\"KEEP.MLNet\" Version=\"1.0.0\" />"
            : $"    <ProjectReference Include=\"{Path.GetFullPath(keepProject)}\" />";
        // The tree trainers' packages load tree models (KEEP.MLNet itself does not reference them).
        // With a project reference the TorchSharp fix for Debian 12 comes from the library's own targets (the package brings them itself).
        string import = keepProject == null ? "" : $"  <Import Project=\"{Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keepProject))!, "build", "KEEP.MLNet.targets")}\" />\n";
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML" Version="5.0.1" />
                <PackageReference Include="Microsoft.ML.FastTree" Version="5.0.1" />
                <PackageReference Include="Microsoft.ML.LightGbm" Version="5.0.1" />
            {reference}
                <None Include="MLModel.zip" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            {import}</Project>

            """;
    }

    private const string ModelInput = """
        using Microsoft.ML.Data;

        /// <summary>One impression, as the model reads it: ids, and behaviour histories of 50 (most recent last, 0-padded on the left).</summary>
        public sealed class ModelInput
        {
            public const int HistoryLength = 50;

            public int UserId { get; set; }
            public int ItemId { get; set; }
            public int ShopId { get; set; }
            public int CategoryId { get; set; }
            [VectorType(HistoryLength)] public int[] HistoryItemIds { get; set; } = new int[HistoryLength];
            [VectorType(HistoryLength)] public int[] HistoryShopIds { get; set; } = new int[HistoryLength];
            [VectorType(HistoryLength)] public int[] HistoryCategoryIds { get; set; } = new int[HistoryLength];

            /// <summary>An input from ids and behaviour lists, oldest first; the most recent 50 are kept.</summary>
            public static ModelInput Create(int userId, int itemId, int shopId, int categoryId, int[] historyItems, int[] historyShops, int[] historyCategories)
            {
                var input = new ModelInput { UserId = userId, ItemId = itemId, ShopId = shopId, CategoryId = categoryId };
                Fill(historyItems, input.HistoryItemIds);
                Fill(historyShops, input.HistoryShopIds);
                Fill(historyCategories, input.HistoryCategoryIds);
                return input;
            }

            private static void Fill(int[] history, int[] slots)
            {
                int n = Math.Min(history.Length, slots.Length);
                Array.Copy(history, history.Length - n, slots, slots.Length - n, n);
            }
        }

        """;

    private const string ModelOutput = """
        /// <summary>What the model predicts for one impression.</summary>
        public sealed class ModelOutput
        {
            /// <summary>The raw score (a logit for the KEEP DNN).</summary>
            public float Score { get; set; }
            /// <summary>The predicted probability.</summary>
            public float Probability { get; set; }
            /// <summary>Probability above 0.5.</summary>
            public bool PredictedLabel { get; set; }
        }

        """;

    private static string Program(string label, ImpressionInput example)
    {
        static string List(int[] values) => string.Join(", ", values.Where(v => v != 0).Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var code = new StringBuilder();
        code.AppendLine("using KEEP.MLNet;");
        code.AppendLine("using Microsoft.ML;");
        code.AppendLine();
        code.AppendLine("// Load the model (KeepModel.Load registers KEEP's mappings, then calls mlContext.Model.Load).");
        code.AppendLine("var mlContext = new MLContext();");
        code.AppendLine("string modelPath = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, \"MLModel.zip\");");
        code.AppendLine("var model = KeepModel.Load(mlContext, modelPath, out _);");
        code.AppendLine("var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);");
        code.AppendLine();
        code.AppendLine("// One impression: user, target item, and the user's recent behaviours (oldest first).");
        code.AppendLine(CultureInfo.InvariantCulture, $"var input = ModelInput.Create(userId: {example.UserId}, itemId: {example.ItemId}, shopId: {example.ShopId}, categoryId: {example.CategoryId},");
        code.AppendLine(CultureInfo.InvariantCulture, $"    historyItems: [{List(example.HistoryItemIds)}],");
        code.AppendLine(CultureInfo.InvariantCulture, $"    historyShops: [{List(example.HistoryShopIds)}],");
        code.AppendLine(CultureInfo.InvariantCulture, $"    historyCategories: [{List(example.HistoryCategoryIds)}]);");
        code.AppendLine("var output = engine.Predict(input);");
        code.AppendLine(CultureInfo.InvariantCulture, $"Console.WriteLine($\"P({label}) = {{output.Probability.ToString(\"F6\", System.Globalization.CultureInfo.InvariantCulture)}}\");");
        return code.ToString();
    }
}
