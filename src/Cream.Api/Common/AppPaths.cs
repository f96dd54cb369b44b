namespace Cream.Api.Common;

public static class AppPaths
{
    /// <summary>
    /// The content root: the app's own folder (where <c>appsettings.json</c> is published beside
    /// the binary), whatever the working directory, unless <c>--contentRoot</c>,
    /// <c>ASPNETCORE_CONTENTROOT</c> or <c>DOTNET_CONTENTROOT</c> names another. Null leaves the
    /// choice to the host (it then reads that setting itself).
    /// </summary>
    public static string? ContentRoot(string[] args)
    {
        var hostSettings = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build();
        return string.IsNullOrEmpty(hostSettings[HostDefaults.ContentRootKey]) ? AppContext.BaseDirectory : null;
    }

    /// <summary>
    /// The folder for local state (the SQLite file, the Development signing key):
    /// <c>DataDirectory</c> from configuration (relative to the content root), else
    /// <c>App_Data</c> under the content root.
    /// </summary>
    public static string DataDirectory(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration["DataDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "App_Data" : configured, builder.Environment.ContentRootPath);
    }
}
