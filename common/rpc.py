"""gRPC plumbing every azlab server shares: AzlabError -> status, in one interceptor."""

from __future__ import annotations

import logging

import grpc

from azlab.common.errors import AzlabError

log = logging.getLogger(__name__)
ERROR_CODE_KEY = "aws-error-code"  # trailing metadata carrying the AWS-style error code


class ErrorInterceptor(grpc.aio.ServerInterceptor):
    """AzlabError -> its status with the AWS code in trailing metadata; anything else -> INTERNAL."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def guarded(request, context):
            try:
                return await inner(request, context)
            except AzlabError as e:
                status, code, message = grpc.StatusCode[e.status], e.code, e.message
            except NotImplementedError as e:
                status, code, message = grpc.StatusCode.UNIMPLEMENTED, "NotImplemented", str(e) or "not implemented"
            except Exception as e:
                log.exception("%s failed", handler_call_details.method)
                status, code, message = grpc.StatusCode.INTERNAL, "InternalFailure", f"{type(e).__name__}: {e}"
            context.set_trailing_metadata(((ERROR_CODE_KEY, code),))
            await context.abort(status, message)

        return grpc.unary_unary_rpc_method_handler(
            guarded, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
        )
