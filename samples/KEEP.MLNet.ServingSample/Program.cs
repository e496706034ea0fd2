// keep-serving: scores impressions with a KEEP model zip over HTTP.
//   dotnet run --project samples/KEEP.MLNet.ServingSample -c Release -- --model keep-demo/models/keep-dnn.zip
//   (--store FOLDER|redis://host:port[/prefix] --version V for a model trained on cached knowledge; --urls http://0.0.0.0:8080)
using KEEP.MLNet.ServingSample;

var builder = WebApplication.CreateBuilder(args);
var app = ServingApp.Build(builder, ServingSettings.From(builder.Configuration));
app.Run();
