using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Upflow.Orleans.Api.Http;

public static class RequestBodyLimit
{
    public const long MaxBytes = 1024 * 1024;

    /// <summary>
    /// Refuses bodies over 1 MiB with a 413 problem before anything reads them. A declared length is
    /// checked at once; a chunked body is cut off by the server's own limit while it is read.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxBytes)
            {
                await Problems.Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                    "The request body exceeds the 1 MiB limit.", "payload_too_large").ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = MaxBytes;
            await next(context);
        });
}
