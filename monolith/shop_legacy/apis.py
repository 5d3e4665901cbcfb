"""Shop API of the monolith (``/api/v1/shop/``): thin views over services and selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.pagination import PageNumberPagination, paginated
from monolith import flags
from monolith.shop_legacy.models import Item, Purchase
from monolith.shop_legacy.saga import ShopOrder, item_forward, items_forward, order_forward
from monolith.shop_legacy.selectors import hint_text_for, item_get, item_list, purchase_get, purchase_list
from monolith.shop_legacy.services import purchase_create

# Largest primary key the database can hold (BigAutoField); larger ids cannot exist.
MAX_ID = 2**63 - 1


class ShopItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    exercise = serializers.IntegerField(source="exercise_id")
    exercise_title = serializers.CharField(source="exercise.title")
    validator = serializers.IntegerField(source="validator_id", allow_null=True)
    title = serializers.CharField()
    cost = serializers.IntegerField()
    stock = serializers.IntegerField(allow_null=True, help_text="Units left; null means unlimited.")
    in_stock = serializers.BooleanField()
    owned = serializers.BooleanField()
    hint_text = serializers.SerializerMethodField(help_text="The hint, once bought; null until then.")
    created_at = serializers.DateTimeField()

    def get_hint_text(self, item: Item) -> str | None:
        return hint_text_for(item=item, owned=item.owned)


class ShopPurchaseOutputSerializer(serializers.Serializer):
    class PurchasedItemSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        exercise = serializers.IntegerField(source="exercise_id")
        validator = serializers.IntegerField(source="validator_id", allow_null=True)
        title = serializers.CharField()

    id = serializers.IntegerField()
    item = PurchasedItemSerializer()
    price_paid = serializers.IntegerField()
    hint_text = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_hint_text(self, purchase: Purchase) -> str | None:
        return hint_text_for(item=purchase.item, owned=True)


class ItemListApi(APIView):
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer):
        exercise = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        kind = serializers.ChoiceField(choices=Item.Kind.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=ShopItemOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if flags.is_on(flags.PURCHASE_VIA_SAGA):
            # The shop sells (and knows who owns what): its items, in its shape.
            paging = {k: v for k, v in request.query_params.items() if k in ("page", "page_size")}
            shop = items_forward(user=request.user, params={**filters.validated_data, **paging})
            return Response(shop.body, status=shop.status)
        items = item_list(
            user=request.user,
            exercise_id=filters.validated_data.get("exercise"),
            kind=filters.validated_data.get("kind"),
        )
        return paginated(
            request=request, view=self, queryset=items, serializer_class=ShopItemOutputSerializer
        )


class ItemDetailApi(APIView):
    @extend_schema(responses=ShopItemOutputSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        if flags.is_on(flags.PURCHASE_VIA_SAGA):
            shop = item_forward(user=request.user, item_id=item_id)
            return Response(shop.body, status=shop.status)
        item = item_get(user=request.user, item_id=item_id)
        return Response(ShopItemOutputSerializer(item).data)


class PurchaseListCreateApi(APIView):
    pagination_class = PageNumberPagination

    class PurchaseCreateInputSerializer(serializers.Serializer):
        item_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(responses=ShopPurchaseOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        purchases = purchase_list(user=request.user)
        return paginated(
            request=request, view=self, queryset=purchases, serializer_class=ShopPurchaseOutputSerializer
        )

    @extend_schema(
        request=PurchaseCreateInputSerializer,
        responses={
            201: ShopPurchaseOutputSerializer,
            200: ShopPurchaseOutputSerializer,
            503: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Purchases are paused for a few seconds (purchases_paused, Retry-After), or "
                "the shop is unreachable (shop_unavailable); nothing was charged.",
            ),
        },
        description="Buy an item: 201 for a new purchase, 200 with the existing one if already owned.",
    )
    def post(self, request: Request) -> Response:
        data = self.PurchaseCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purchase, created = purchase_create(
            user=request.user,
            item_id=data.validated_data["item_id"],
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        if isinstance(purchase, ShopOrder):
            # purchase_via_saga: the shop service's answer (202 and the order), passed through.
            return Response(purchase.body, status=purchase.status)
        return Response(
            ShopPurchaseOutputSerializer(purchase).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PurchaseDetailApi(APIView):
    @extend_schema(responses=ShopPurchaseOutputSerializer)
    def get(self, request: Request, purchase_id: int) -> Response:
        purchase = purchase_get(user=request.user, purchase_id=purchase_id)
        return Response(ShopPurchaseOutputSerializer(purchase).data)


# The status URL of a purchase forwarded to the shop service (``purchase_via_saga``): asked of the
# shop, whatever the switch says (orders made in the shop stay there). A comment, not the docstring:
# the docstring is the description learners read on the API's pages.
class OrderDetailApi(APIView):
    """Your order: where it stands, and the hint once it is bought."""

    class WaitSerializer(serializers.Serializer):
        wait = serializers.FloatField(required=False, min_value=0, max_value=30, default=0)

    @extend_schema(
        parameters=[WaitSerializer],
        responses={
            200: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
            503: OpenApiResponse(
                OpenApiTypes.OBJECT, description="The shop is unreachable (shop_unavailable)."
            ),
        },
    )
    def get(self, request: Request, order_id) -> Response:
        wait = self.WaitSerializer(data=request.query_params)
        wait.is_valid(raise_exception=True)
        order = order_forward(user=request.user, order_id=order_id, wait=wait.validated_data["wait"])
        return Response(order.body, status=order.status)
