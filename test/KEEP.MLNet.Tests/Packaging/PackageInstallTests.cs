using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace KEEP.MLNet.Tests.Packaging;

[TestClass]
public sealed class PackageInstallTests
{
    private static readonly string[] Packages = ["KEEP.MLNet", "KEEP.MLNet.Redis", "KEEP.MLNet.Experiments", "KEEP.MLNet.Mpi"];

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void The_four_packages_pack_and_install_into_a_fresh_project_from_a_local_feed()
    {
        string root = TestPaths.RepositoryRoot();
        string work = TestWorlds.TempFolder("packages");
        string feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
        // Pack what this test run was built as (the build before the tests made the binaries).
        // A version of this run's own: restore must take these packages, not ones an earlier run left in the NuGet cache.
        string version = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        try
        {
            Run(root, work, feed, version);
        }
        finally
        {
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string package in Packages)
            {
                string cached = Path.Combine(cache, package.ToLowerInvariant(), version);
                if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            }
        }
    }

    private static void Run(string root, string work, string feed, string version)
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (string package in Packages)
            Dotnet(root, "pack", Path.Combine("src", package, package + ".csproj"), "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}");

        // The core package names no tree trainer, no Redis client and no MPI; the others bring their own.
        var dependencies = Packages.ToDictionary(p => p, p => Dependencies(Path.Combine(feed, $"{p}.{version}.nupkg")));
        CollectionAssert.IsSubsetOf(new[] { "Microsoft.ML", "TorchSharp-cpu" }, dependencies["KEEP.MLNet"]);
        foreach (string excluded in new[] { "Microsoft.ML.FastTree", "Microsoft.ML.LightGbm", "StackExchange.Redis", "MPI.NET" })
            CollectionAssert.DoesNotContain(dependencies["KEEP.MLNet"], excluded, $"KEEP.MLNet must not depend on {excluded}");
        CollectionAssert.IsSubsetOf(new[] { "KEEP.MLNet", "StackExchange.Redis" }, dependencies["KEEP.MLNet.Redis"]);
        CollectionAssert.IsSubsetOf(new[] { "KEEP.MLNet", "Microsoft.ML.FastTree", "Microsoft.ML.LightGbm" }, dependencies["KEEP.MLNet.Experiments"]);
        CollectionAssert.IsSubsetOf(new[] { "KEEP.MLNet", "MPI.NET" }, dependencies["KEEP.MLNet.Mpi"]);

        // A fresh project outside the repository (none of its build files apply), the local feed beside nuget.org.
        string app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
            {string.Join("\n", Packages.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{version}\" />"))}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using KEEP.MLNet.Data;
            using KEEP.MLNet.Pretraining;

            // Core: pre-train a small knowledge model (TorchSharp's native library must load) and extract knowledge.
            var random = new Random(1);
            var batch = new ImpressionBatch(600);
            for (int r = 0; r < 600; r++)
            {
                int[] items = [1 + random.Next(40), 1 + random.Next(40)];
                bool click = random.NextDouble() < 0.3;
                batch.Add(r / 300, 1 + random.Next(30), 1 + random.Next(40), 1 + random.Next(5), 1 + random.Next(4), items, [1, 2], [1, 2], click, click && random.NextDouble() < 0.5, false);
            }
            var options = new PretrainingOptions { BatchSize = 200, TowerLayers = [32, 16], AttentionLayers = [8] };
            using var model = new KeepPretrainer(options).Fit(() => [batch]);
            int width = model.Extract(batch, 0, 10).Interaction.Length / 10;
            // Redis package: the redis:// scheme registers; Experiments package: the trainer-by-name pipelines;
            // MPI package: outside mpiexec it reports no job (and loads no MPI).
            KEEP.MLNet.Serving.RedisKnowledgeStore.Register();
            string trainers = string.Join(",", KEEP.MLNet.Experiments.DownstreamPipelines.Trainers);
            Console.WriteLine($"ok rows={model.History.Rows} kui={width} trainers={trainers} ranks={KEEP.MLNet.Mpi.MpiCommunicator.LaunchedRanks}");
            """);
        string output = Dotnet(app, "run", "--project", "App.csproj");
        StringAssert.Contains(output, "ok rows=600 kui=48 trainers=fasttree,lightgbm,sdca ranks=0");
    }

    private static List<string> Dependencies(string nupkg)
    {
        Assert.IsTrue(File.Exists(nupkg), $"{nupkg} was not packed");
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return [.. XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).Distinct()];
    }

    private static string Dotnet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"dotnet {string.Join(' ', arguments)} in {directory}:\n{output}\n{errors.Result}");
        return output;
    }
}
