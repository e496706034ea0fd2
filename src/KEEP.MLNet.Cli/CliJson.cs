using System.Text.Json;
using System.Text.Json.Serialization;

namespace KEEP.MLNet.Cli;

/// <summary>
/// JSON settings of <c>--json</c> output. NaN is written as "NaN" (a GAUC over no user with both classes is NaN; the
/// output must not fail on it).
/// </summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
