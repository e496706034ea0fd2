using System.CommandLine;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>The options that describe a simulated world, shared by <c>generate</c> and <c>demo</c>.</summary>
internal sealed class WorldArguments
{
    public Option<string> Preset { get; }
    public Option<string?> World { get; } = new("--world")
    {
        Description = "World options from a JSON file (what WorldOptions.Write or a generated world.json holds) instead of a preset; the other flags still override it.",
    };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Random seed (default 42). Same seed, same files." };
    public Option<int?> Users { get; } = new("--users") { Description = "Number of users (overrides the preset)." };
    public Option<int?> Items { get; } = new("--items") { Description = "Number of items (overrides the preset)." };
    public Option<int?> Days { get; } = new("--days") { Description = "Days to simulate, test days included (overrides the preset)." };
    public Option<long?> SuperRows { get; } = new("--super-rows") { Description = "Expected super-domain impressions (overrides the preset)." };
    public Option<long?> SubRows { get; } = new("--sub-rows") { Description = "Expected sub-domain impressions (overrides the preset)." };

    /// <summary>Creates the options; <paramref name="defaultPreset"/> is the world size when --preset is not given.</summary>
    public WorldArguments(string defaultPreset = "default")
    {
        Preset = new Option<string>("--preset")
        {
            Description = $"World preset: {string.Join(", ", WorldOptions.PresetNames)} (tiny..large: the paper's site with subsystems; shared-click*: one click model for the whole site).",
            DefaultValueFactory = _ => defaultPreset,
        };
        Preset.AcceptOnlyFromAmong([.. WorldOptions.PresetNames]);
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Preset, World, Seed, Users, Items, Days, SuperRows, SubRows }) command.Options.Add(option);
    }

    public WorldOptions Read(ParseResult result)
    {
        if (result.GetValue(World) is { } file && result.GetResult(Preset) is { Implicit: false })
            throw new ArgumentException("Give either --world or --preset, not both.");
        var options = result.GetValue(World) is { } path ? WorldOptions.Read(path) : WorldOptions.Preset(result.GetValue(Preset)!);
        options = options with
        {
            Seed = result.GetValue(Seed) ?? options.Seed,
            Users = result.GetValue(Users) ?? options.Users,
            Items = result.GetValue(Items) ?? options.Items,
            Days = result.GetValue(Days) ?? options.Days,
            SuperImpressions = result.GetValue(SuperRows) ?? options.SuperImpressions,
            SubImpressions = result.GetValue(SubRows) ?? options.SubImpressions,
        };
        options.Validate();
        return options;
    }
}
