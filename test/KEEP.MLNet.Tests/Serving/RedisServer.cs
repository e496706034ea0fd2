using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KEEP.MLNet.Tests.Serving;

/// <summary>A real <c>redis-server</c> on 127.0.0.1 and a free port, without persistence, for one test.</summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    public RedisServer()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            start.ArgumentList.Add(arg);
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it).", e);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!Answers(Port))
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException($"redis-server did not start on port {Port}.");
            Thread.Sleep(20);
        }
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Stops the server (to test what clients do when it goes away).</summary>
    public void Stop()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True once the server answers PING (accepting a connection is not yet serving).</summary>
    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.ReadTimeout = 1000;
            stream.Write("PING\r\n"u8);
            var reply = new byte[7];
            int read = 0;
            while (read < reply.Length)
            {
                int n = stream.Read(reply, read, reply.Length - read);
                if (n == 0) return false;
                read += n;
            }
            return reply.AsSpan().SequenceEqual("+PONG\r\n"u8);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }
}
