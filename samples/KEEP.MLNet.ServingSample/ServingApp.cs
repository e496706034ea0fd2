using System.Reflection;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;

namespace KEEP.MLNet.ServingSample;

/// <summary>
/// The host: loads the model once at start-up (a bad model or an unreachable store stops the start with the reason),
/// scores through a <see cref="PredictionPool{TInput, TOutput}"/> that owns its engines correctly, and maps
/// <c>POST /predict</c> (one row or an array of rows), <c>GET /health</c> and <c>GET /version</c>.
/// </summary>
public static class ServingApp
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Builds the application on <paramref name="builder"/> (the caller starts it).</summary>
    public static WebApplication Build(WebApplicationBuilder builder, ServingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        RedisKnowledgeStore.Register();
        var served = ServedModel.Load(settings.Model, settings.Knowledge);
        try
        {
            if (served.HistoryLength != ImpressionInput.HistoryLength)
                throw new ArgumentException($"{settings.Model}: the model reads {served.HistoryLength} behaviours per row; this host sends {ImpressionInput.HistoryLength} (ImpressionInput).");
            RequireScoreColumns(settings.Model, served);
            var pool = served.CreatePool<ImpressionInput, KeepDnnOutput>(settings.MaxEngines);
            builder.Services.AddSingleton(served);
            var app = builder.Build();
            app.Lifetime.ApplicationStopped.Register(served.Dispose);
            app.MapPost("/predict", (HttpRequest request) => Predict(request, pool));
            app.MapGet("/health", () => Results.Json(new { status = "ok", knowledgeFallbackRows = served.KnowledgeFallbackRows }, Json));
            app.MapGet("/version", () => Results.Json(Version(served), Json));
            return app;
        }
        catch
        {
            served.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The host answers with the model's <c>Score</c> and <c>Probability</c> (<see cref="KeepDnnOutput"/>): a model that writes
    /// its scores under other names (<c>ScoreColumnName</c>, … of the trainer's options) is refused at start, by name.
    /// </summary>
    private static void RequireScoreColumns(string model, ServedModel served)
    {
        var output = served.Transformer.GetOutputSchema(served.InputSchema);
        foreach (string name in new[] { KeepDnnColumns.Score, KeepDnnColumns.Probability })
            if (output.GetColumnOrNull(name) is not { } column || column.Type != Microsoft.ML.Data.NumberDataViewType.Single)
                throw new ArgumentException($"{model}: the model has no float column '{name}' (its output columns: {string.Join(", ", output.Where(c => !c.IsHidden).Select(c => c.Name))}). " +
                    $"This host returns ML.NET's {KeepDnnColumns.Score} and {KeepDnnColumns.Probability}: train with the default output names, or change {nameof(KeepDnnOutput)} here to the model's names.");
    }

    /// <summary>What identifies the served model and knowledge.</summary>
    public static object Version(ServedModel served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return new
        {
            model = Path.GetFileName(served.ModelPath),
            modelSha256 = served.ModelSha256,
            knowledgeStore = served.KnowledgeStore,
            knowledgeVersion = served.KnowledgeVersion,
            library = typeof(ServedModel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
        };
    }

    private static async Task<IResult> Predict(HttpRequest request, PredictionPool<ImpressionInput, KeepDnnOutput> pool)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, Json, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error($"The body is not JSON: {e.Message}");
        }
        bool many = body.ValueKind == JsonValueKind.Array;
        ImpressionInput[] inputs;
        try
        {
            var rows = many ? body.Deserialize<ImpressionRequest[]>(Json)! : [body.Deserialize<ImpressionRequest>(Json)!];
            inputs = new ImpressionInput[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                try { inputs[i] = (rows[i] ?? throw new ArgumentException("null row")).ToInput(); }
                catch (ArgumentException e) { return Error(many ? $"row {i}: {e.Message}" : e.Message); }
            }
        }
        catch (JsonException e)
        {
            return Error($"The body is not an impression or an array of impressions: {e.Message}");
        }
        var scores = pool.Predict(inputs).Select(o => new ImpressionScore(o.Score, o.Probability)).ToArray();
        return many ? Results.Json(scores, Json) : Results.Json(scores[0], Json);
    }

    private static IResult Error(string message) => Results.Json(new { error = message }, Json, statusCode: StatusCodes.Status400BadRequest);
}
