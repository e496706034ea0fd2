using KEEP.MLNet.Serving;

namespace KEEP.MLNet.ServingSample;

/// <summary>What the host serves: read from configuration (<c>--model PATH</c>, <c>--store</c>, <c>--version</c>, <c>--layout</c>, <c>--max-engines</c> on the command line, or <c>KEEP_MODEL</c>-style environment variables via ASP.NET Core's usual sources).</summary>
public sealed record ServingSettings
{
    /// <summary>The model zip (<c>keep train</c>, <c>keep experiment</c> or <c>mlContext.Model.Save</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Cached knowledge in front of the model (models trained on <c>KeepCachedKnowledge</c>); null for models that carry their knowledge.</summary>
    public ServedKnowledgeOptions? Knowledge { get; init; }

    /// <summary>Idle prediction engines kept; null: twice the processor count.</summary>
    public int? MaxEngines { get; init; }

    /// <summary>Reads the settings; throws <see cref="ArgumentException"/> naming the missing or bad setting.</summary>
    public static ServingSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string model = configuration["model"] is { Length: > 0 } m ? m : throw new ArgumentException("Give the model zip to serve: --model PATH (or the 'model' setting).");
        string? store = configuration["store"], version = configuration["version"];
        if ((store == null) != (version == null)) throw new ArgumentException("Cached knowledge needs both --store and --version (the version the model was trained with).");
        var layout = CachedKnowledgeLayout.Combined;
        if (configuration["layout"] is { } text && !Enum.TryParse(text, ignoreCase: true, out layout))
            throw new ArgumentException($"--layout '{text}' is not one of {string.Join(", ", Enum.GetNames<CachedKnowledgeLayout>())}.");
        int? engines = null;
        if (configuration["max-engines"] is { } count)
            engines = int.TryParse(count, out int n) && n > 0 ? n : throw new ArgumentException($"--max-engines '{count}' is not a positive integer.");
        return new ServingSettings
        {
            Model = model,
            Knowledge = store == null ? null : new ServedKnowledgeOptions { Store = store, Version = version!, Layout = layout },
            MaxEngines = engines,
        };
    }
}
