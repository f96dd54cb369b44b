namespace Cream.Api.Common;

public static class AppPaths
{
    /// <summary>
    /// The folder for local state (the SQLite file, the Development signing key):
    /// <c>DataDirectory</c> from configuration, else <c>App_Data</c> under the content root.
    /// </summary>
    public static string DataDirectory(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration["DataDirectory"];
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.Environment.ContentRootPath, "App_Data")
            : Path.GetFullPath(configured);
    }
}
