using System.Text.Json;
using System.Text.Json.Serialization;

namespace KEEP.MLNet.Cli;

/// <summary>JSON settings of <c>--json</c> output.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };
}
