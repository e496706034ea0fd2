using KEEP.MLNet.Experiments;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class ResultsJsonTests
{
    [TestMethod]
    public void An_undefined_GAUC_is_saved_and_read_back_instead_of_failing_the_run()
    {
        // A model evaluated on rows where no user has both classes has GAUC NaN (seen on a world where a conversion model's
        // 0–5-row user bucket had no user with a conversion and a clicked non-conversion: the run failed when it saved).
        var rows = new List<ExperimentResult>
        {
            new("Table 5", "CVR KEEP DNN", 5, double.NaN, 0.61, 0, 12.5, new Dictionary<string, double> { ["0–5"] = double.NaN, [">20"] = 0.7 },
                new Dictionary<string, double> { [PaperExperiment.PairedStandardErrorKey] = double.PositiveInfinity, [PaperExperiment.PairedDeltaKey] = double.NegativeInfinity }),
            new("Table 2", "Base DNN", 5, 0.65, 0.7, 369, 10, new Dictionary<string, double>()) { TrainingRun = 1 },
        };
        string path = Path.Combine(TestWorlds.TempFolder("results-json"), "results.json");

        ResultsJson.Write(path, rows);
        var read = ResultsJson.ReadOrEmpty<ExperimentResult>(path);

        StringAssert.Contains(File.ReadAllText(path), "\"NaN\"");
        Assert.AreEqual(2, read.Count);
        Assert.IsTrue(double.IsNaN(read[0].Gauc));
        Assert.IsTrue(double.IsNaN(read[0].Buckets["0–5"]));
        Assert.AreEqual(0.7, read[0].Buckets[">20"]);
        Assert.AreEqual(double.PositiveInfinity, read[0].Details![PaperExperiment.PairedStandardErrorKey]);
        Assert.AreEqual(double.NegativeInfinity, read[0].Details![PaperExperiment.PairedDeltaKey]);
        Assert.AreEqual(rows[1].Gauc, read[1].Gauc);
        Assert.AreEqual(1, read[1].TrainingRun);
        // The report renders a table with an undefined row instead of failing.
        StringAssert.Contains(PaperReport.Markdown(read, "results"), "CVR KEEP DNN");
        Assert.AreEqual(0, ResultsJson.ReadOrEmpty<ExperimentResult>(path + ".missing").Count);
    }
}
