// Web admin code reading generated result types: the orders table and its
// status actions, the stock ledger, a flash deal's form.
import { type Request, resultOf } from "./client.js";
import {
  AdminMarkOrderDeliveredDocument,
  AdminMarkOrderPackedDocument,
  AdminOpenFlashDealDocument,
  AdminOrdersDocument,
  AdminShipOrderDocument,
  type AdminOpenFlashDealMutationVariables,
  type AdminOrdersQuery,
  type AdminStockQuery,
  type OrderStatus,
} from "../generated/graphql.js";

type OrderRow = AdminOrdersQuery["cooperativeOrders"]["nodes"][number];

/** One action button of the orders table. */
export type OrderAction = "pack" | "ship" | "deliver" | null;

/** Which button the next status calls for. */
export function actionFor(next: OrderStatus): OrderAction {
  switch (next) {
    case "PACKED":
      return "pack";
    case "SHIPPED":
      return "ship";
    case "DELIVERED":
      return "deliver";
    case "PENDING_PAYMENT":
    case "PAID":
    case "CONFIRMED":
    case "CANCELLED":
    case "REFUND_PENDING":
    case "REFUNDED":
      return null;
  }
}

/** A row of the orders table. */
export function orderRow(order: OrderRow) {
  return {
    id: order.id,
    number: order.number,
    to: `${order.shippingAddress.recipientName}, ${order.shippingAddress.province}`,
    totalVnd: order.totalVnd,
    paid: order.payment.status === "PAID",
    flagged: order.needsReview,
    actions: order.nextStatuses.map(actionFor).filter((a): a is NonNullable<OrderAction> => a !== null),
  };
}

/** Loads one page of a cooperative's orders awaiting packing. */
export async function ordersToPack(request: Request, cooperativeId: string, after: string | null) {
  const { cooperativeOrders } = await request(AdminOrdersDocument, {
    cooperativeId,
    filter: { status: "PAID" },
    after,
  });
  return {
    rows: cooperativeOrders.nodes.map(orderRow),
    total: cooperativeOrders.totalCount,
    next: cooperativeOrders.pageInfo.hasNextPage ? (cooperativeOrders.pageInfo.endCursor ?? null) : null,
  };
}

/** Runs a row's action; shipping needs the carrier and tracking number. */
export async function runAction(
  request: Request,
  orderId: string,
  action: NonNullable<OrderAction>,
  parcel?: { carrier: string; trackingNumber: string },
): Promise<OrderStatus> {
  switch (action) {
    case "pack":
      return resultOf((await request(AdminMarkOrderPackedDocument, { orderId })).markOrderPacked, "order").status;
    case "ship":
      if (!parcel) throw new Error("carrier and tracking number are required to ship");
      return resultOf((await request(AdminShipOrderDocument, { orderId, ...parcel })).shipOrder, "order").status;
    case "deliver":
      return resultOf((await request(AdminMarkOrderDeliveredDocument, { orderId })).markOrderDelivered, "order").status;
  }
}

/** The stock page: each variant's stock and its last movements, newest first. */
export function stockLedger(data: AdminStockQuery) {
  const product = data.product;
  if (!product) return [];
  return product.variants.map((variant) => ({
    sku: variant.sku,
    stock: variant.stock,
    // null unless the viewer is the cooperative's staff
    movements: (variant.stockMovements ?? []).map((m) => ({
      change: m.delta > 0 ? `+${m.delta}` : `${m.delta}`,
      after: m.stockAfter,
      why: m.reason ?? m.kind,
      at: m.createdAt,
    })),
  }));
}

/** The flash deal form's variables: every field the schema requires. */
export function flashDealVariables(
  livestreamId: string,
  variantId: string,
  priceVnd: number,
  quantity: number,
  minutes: number,
): AdminOpenFlashDealMutationVariables {
  return {
    input: { livestreamId, variantId, priceVnd, quantity, perBuyerLimit: 2, durationSeconds: minutes * 60 },
  };
}

/** Opens a deal and returns what the console shows for it. */
export async function openDeal(request: Request, variables: AdminOpenFlashDealMutationVariables) {
  const deal = resultOf((await request(AdminOpenFlashDealDocument, variables)).openFlashDeal, "flashDeal");
  return `${deal.product.name} ${deal.variant?.name ?? ""}: ${deal.remaining}/${deal.quantity} at ${deal.priceVnd} until ${deal.endsAt}`;
}
