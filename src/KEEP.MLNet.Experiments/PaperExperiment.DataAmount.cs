using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Experiments;

public sealed partial class PaperExperiment
{
    /// <summary>Detail key of Table 6 rows: how many of the most recent super-domain days the knowledge was pre-trained on.</summary>
    public const string PretrainingDaysKey = "pretrainingDays";

    /// <summary>Detail key of Table 6 rows: how many super-domain rows the knowledge was pre-trained on.</summary>
    public const string PretrainingRowsKey = "pretrainingRows";

    /// <summary>The Table 6 variant pre-trained on the most recent <paramref name="days"/> of <paramref name="trainDays"/> super-domain days.</summary>
    /// <remarks>0 days is the control: knowledge from the seeded, untrained network (<see cref="KeepPretrainer.Untrained"/>).</remarks>
    public static string DataAmountVariant(int days, int trainDays) => days switch
    {
        0 => "KEEP DNN, knowledge not pre-trained (control)",
        _ when days >= trainDays => $"KEEP DNN, pre-trained on all {trainDays} days",
        1 => "KEEP DNN, pre-trained on the last 1 day",
        _ => $"KEEP DNN, pre-trained on the last {days} days",
    };

    /// <summary>
    /// Table 6: the amount of pre-training data. The knowledge is pre-trained (same settings, one pass) on the
    /// most recent days of the super-domain only, as the paper uses its most recent month, six months or two
    /// years; the KEEP DNN is trained with each and compared with the Base DNN. The full pre-training (all
    /// pre-training days) is the experiment's shared one, so its row repeats Table 2's KEEP DNN. 0 days is the
    /// control: the same plug-in fed by the untrained network, which separates the knowledge from the capacity
    /// the plug-in adds.
    /// </summary>
    private void DataAmountTable(string dir, WorldOptions world, PretrainingOptions pretraining, Func<IEnumerable<ImpressionBatch>> super,
        (float[] Scores, double Seconds) full, Func<IKnowledgeSource, (float[] Scores, double Seconds)> dnn,
        Action<string, string, float[], double, Dictionary<string, double>?, string?> add, CancellationToken cancellation)
    {
        var rowsPerDay = super().SelectMany(b => b.Day.ToArray()).CountBy(day => day).ToList();
        int pretrainingDays = PretrainingDaysOf(world);
        Dictionary<string, double> Details(int days) => new()
        {
            [PretrainingDaysKey] = days,
            [PretrainingRowsKey] = rowsPerDay.Where(d => d.Key >= pretrainingDays - days).Sum(d => (double)d.Value),
        };
        // Each row is also compared with the row above it (fewer days, or the control).
        string? previous = null;
        foreach (int days in _table6Days.Distinct().Order())
        {
            int firstDay = pretrainingDays - days;
            using var recent = days == 0
                ? new KeepPretrainer(pretraining).Untrained(super)
                : Pretrained(dir, $"last-{days}-days", pretraining, () => RecentDays.From(super(), firstDay), cancellation);
            var (scores, seconds) = dnn(new ExactKnowledge(recent));
            string variant = DataAmountVariant(days, pretrainingDays);
            add(Table6, variant, scores, seconds, Details(days), previous);
            previous = variant;
        }
        add(Table6, DataAmountVariant(pretrainingDays, pretrainingDays), full.Scores, full.Seconds, Details(pretrainingDays), previous);
    }
}
