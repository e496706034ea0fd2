using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Training;

/// <summary>
/// The one file layout every KEEP.MLNet network is saved in — pre-trained KEEP models, KEEP DNNs, ROK
/// knowledge bases, and the resume checkpoints of their training runs. A zip of:
/// <list type="bullet">
/// <item><c>model.json</c>: the header — kind, layout format, the library version that wrote it, the options
/// the network was built with, and the kind's own state (history, loss curve, knowledge sources);</item>
/// <item><c>vocabularies.bin</c> and <c>weights.bin</c>: the id vocabularies and the TorchSharp weights;</item>
/// <item>optionally more parts a kind names in its state (e.g. the knowledge models a KEEP DNN reads), and for
/// a resume checkpoint <c>resume.json</c> and <c>optimizer.bin</c>, so the checkpoint also loads as a model.</item>
/// </list>
/// Files written before this layout (one header entry per kind: <c>keep.json</c>, <c>keep-dnn.json</c>,
/// <c>rok.json</c>) are read by each kind's legacy reader.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The layout's version; a reader refuses a newer one by name.</summary>
    public const int Format = 1;

    public const string HeaderEntry = "model.json";
    public const string VocabulariesEntry = "vocabularies.bin";
    public const string WeightsEntry = "weights.bin";

    /// <summary>The version of the library writing the file (its informational version).</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelArchive).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ModelArchive).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>True when the zip is in this layout (rather than a legacy one).</summary>
    public static bool IsArchive(ZipArchive zip) => zip.GetEntry(HeaderEntry) != null;

    /// <summary>Writes the header, the vocabularies and the weights of a network of <paramref name="kind"/>.</summary>
    public static void Write<TOptions, TState>(ZipArchive zip, ModelKind kind, TOptions options, TState state,
        Action<BinaryWriter> writeVocabularies, TorchSharp.torch.nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(network);
        CheckpointArchive.WriteJson(zip, HeaderEntry, new Header<TOptions, TState>(kind.Name, Format, LibraryVersion, options, state));
        CheckpointArchive.Write(zip, VocabulariesEntry, s =>
        {
            using var writer = new BinaryWriter(s);
            writeVocabularies(writer);
        });
        CheckpointArchive.Write(zip, WeightsEntry, s => network.save(s));
    }

    /// <summary>
    /// Reads the header of a file that should be of <paramref name="kind"/>: a file of another kind is named
    /// for what it is, a newer layout by its version.
    /// </summary>
    public static (TOptions Options, TState State) ReadHeader<TOptions, TState>(ZipArchive zip, ModelKind kind)
    {
        if (!IsArchive(zip)) throw new InvalidDataException($"missing part '{HeaderEntry}'; the file is {Describe(zip)}");
        var found = CheckpointArchive.ReadJson<KindOnly>(zip, HeaderEntry);
        if (found.Kind != kind.Name)
            throw new InvalidDataException($"the file is {ModelKind.Describe(found.Kind)}, not {kind.Description}");
        if (found.Format is < 1 or > Format)
            throw new InvalidDataException($"{kind.Description} in file format {found.Format}, written by KEEP.MLNet {found.Library}; this KEEP.MLNet ({LibraryVersion}) reads formats 1 to {Format}");
        var header = CheckpointArchive.ReadJson<Header<TOptions, TState>>(zip, HeaderEntry);
        if (header.Options == null) throw new InvalidDataException($"{HeaderEntry} has no options");
        return (header.Options, header.State);
    }

    /// <summary>The kind a header names: null when the zip is not in this layout, "" when its header cannot be read.</summary>
    public static string? KindOf(ZipArchive zip)
    {
        if (!IsArchive(zip)) return null;
        try
        {
            return CheckpointArchive.ReadJson<KindOnly>(zip, HeaderEntry).Kind ?? "";
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return "";
        }
    }

    /// <summary>Reads the vocabularies through <paramref name="read"/>.</summary>
    public static T ReadVocabularies<T>(ZipArchive zip, Func<BinaryReader, T> read)
        => CheckpointArchive.Read(zip, VocabulariesEntry, s => read(new BinaryReader(s)));

    /// <summary>Loads the weights into <paramref name="network"/> (built from the header's options); disposes it when they do not fit.</summary>
    public static TNetwork LoadWeights<TNetwork>(ZipArchive zip, TNetwork network) where TNetwork : TorchSharp.torch.nn.Module
    {
        try
        {
            CheckpointArchive.Read(zip, WeightsEntry, s => network.load(s));
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the header a kind wrote before this layout, from <paramref name="legacyEntry"/>; when the zip has
    /// neither header, the error says what the file is instead.
    /// </summary>
    public static T ReadLegacyHeader<T>(ZipArchive zip, string legacyEntry)
    {
        if (zip.GetEntry(legacyEntry) == null) throw new InvalidDataException($"missing part '{HeaderEntry}'; the file is {Describe(zip)}");
        return CheckpointArchive.ReadJson<T>(zip, legacyEntry);
    }

    /// <summary>What a zip holds, judged by its entries — for errors that name what a file is when it is not what was asked for.</summary>
    public static string Describe(ZipArchive zip)
    {
        bool Has(string entry) => zip.GetEntry(entry) != null;
        string resume = Has(ResumeArchive.HeaderEntry) ? "a resume checkpoint (use it with --resume) holding " : "";
        if (IsArchive(zip)) return resume + ModelKind.Describe(KindOf(zip));
        if (Has("keep.json")) return ModelKind.Pretrained.Description;
        if (Has("rok.json")) return ModelKind.Rok.Description;
        if (Has("keep-dnn.json")) return ModelKind.Dnn.Description;
        if (resume.Length > 0) return "a resume checkpoint (use it with --resume)";
        if (Has(ModelZip.KnowledgeCheckpointEntry)) return "a KEEP knowledge model (from 'keep pretrain')";
        if (Has(ModelZip.DnnCheckpointEntry)) return "a KEEP DNN model (from 'keep train')";
        if (zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) || e.FullName.StartsWith("TrainingInfo/", StringComparison.Ordinal)))
            return "a plain ML.NET model";
        return "no KEEP.MLNet file (a zip of unknown content)";
    }

    private sealed record KindOnly(string Kind, int Format, string? Library);

    private sealed record Header<TOptions, TState>(string Kind, int Format, string Library, TOptions Options, TState State);
}

/// <summary>A kind of saved network: the name its header carries and how errors describe it.</summary>
internal sealed record ModelKind(string Name, string Description)
{
    public static readonly ModelKind Pretrained = new("keep-pretrained", "a KEEP knowledge checkpoint (from 'keep pretrain')");
    public static readonly ModelKind Dnn = new("keep-dnn", "a KEEP DNN checkpoint");
    public static readonly ModelKind Rok = new("rok", "a ROK knowledge base (from 'keep rok'; plug it in with --rok or RokKnowledge)");

    private static readonly ModelKind[] Known = [Pretrained, Dnn, Rok];

    /// <summary>How errors describe a file whose header names <paramref name="name"/>.</summary>
    public static string Describe(string? name)
        => Known.FirstOrDefault(k => k.Name == name)?.Description ?? $"a model of kind '{name}', unknown to this KEEP.MLNet ({ModelArchive.LibraryVersion})";
}
