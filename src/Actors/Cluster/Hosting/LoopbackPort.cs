using System.Net;
using System.Net.Sockets;

namespace Veil.Actors.Cluster.Hosting;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago (asked of the OS by binding port 0), for local clusters and exporters.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
