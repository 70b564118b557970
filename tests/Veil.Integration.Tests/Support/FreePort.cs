using System.Net;
using System.Net.Sockets;

namespace Veil.Integration.Tests.Support;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), so tests can run in parallel.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
