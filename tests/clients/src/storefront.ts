// Storefront code reading generated result types: a product page, a show's
// live events, the cart and checkout. Compiled with tsc --strict; a schema
// change that breaks what these pages read fails the compile.
import { type Request, resultOf } from "./client.js";
import {
  StorefrontCheckoutCartDocument,
  StorefrontLivestreamDocument,
  StorefrontOrderByNumberDocument,
  StorefrontProductDocument,
  type OrderStatus,
  type StorefrontCheckoutCartMutationVariables,
  type StorefrontLivestreamEventsSubscription,
  type StorefrontLivestreamQuery,
  type StorefrontProductQuery,
} from "../generated/graphql.js";

type Product = NonNullable<StorefrontProductQuery["product"]>;

/** What the product page shows above the fold. */
export interface ProductPageView {
  title: string;
  cooperative: string;
  province: string;
  fromPriceVnd: number | null;
  inStock: boolean;
  heroImage: string | null;
  origin: string | null;
  lots: { code: string; harvestedOn: string; certified: boolean; traceUrl: string }[];
  liveNow: string | null;
}

/** Reads a product page's result into what the page renders. */
export function productPageView(product: Product): ProductPageView {
  const prices = product.variants.filter((v) => v.inStock).map((v) => v.priceVnd);
  const hero = product.media[0]?.asset;
  const story = product.originStory;
  const live = product.currentLivestreams.find((show) => show.status === "LIVE");
  return {
    title: product.name,
    cooperative: product.cooperative.name,
    province: product.cooperative.address.province,
    fromPriceVnd: prices.length > 0 ? Math.min(...prices) : (product.minPriceVnd ?? null),
    inStock: product.variants.some((v) => v.inStock),
    heroImage: hero?.large ?? hero?.small ?? null,
    origin: story ? `${story.farmName}, ${story.commune ?? story.area ?? ""} ${story.province}`.trim() : null,
    lots: product.lots.map((lot) => ({
      code: lot.code,
      harvestedOn: lot.harvestedOn,
      certified: lot.certifications.length > 0,
      traceUrl: lot.traceUrl,
    })),
    liveNow: live ? `${live.cooperative.name}: ${live.title}` : null,
  };
}

/** Loads a product page by slug; null when there is no such product. */
export async function loadProductPage(request: Request, slug: string): Promise<ProductPageView | null> {
  const data = await request(StorefrontProductDocument, { slug });
  return data.product ? productPageView(data.product) : null;
}

type Show = NonNullable<StorefrontLivestreamQuery["livestream"]>;
type ShowEvent = StorefrontLivestreamEventsSubscription["livestreamEvents"];

/** The show page's state, updated by each live event. */
export interface ShowState {
  status: Show["status"];
  viewers: number;
  pinned: { id: string; name: string } | null;
  deals: Map<string, { remaining: number; priceVnd: number; open: boolean }>;
  ticker: string[];
  mustRefetch: boolean;
}

/** The state a show page starts from, read from the show's query. */
export function initialShowState(show: Show): ShowState {
  return {
    status: show.status,
    viewers: show.viewers,
    pinned: show.pinnedProduct ? { id: show.pinnedProduct.id, name: show.pinnedProduct.name } : null,
    deals: new Map(show.activeFlashDeals.map((d) => [d.id, { remaining: d.remaining, priceVnd: d.priceVnd, open: true }])),
    ticker: [],
    mustRefetch: false,
  };
}

/** Applies one live event; every event kind must be handled (the switch is exhaustive). */
export function applyShowEvent(state: ShowState, event: ShowEvent): ShowState {
  switch (event.__typename) {
    case "LivestreamStarted":
      return { ...state, status: "LIVE" };
    case "LivestreamEnded":
      return { ...state, status: "ENDED", pinned: null };
    case "ProductPinned":
      return { ...state, pinned: { id: event.product.id, name: event.product.name } };
    case "ProductUnpinned":
      return { ...state, pinned: null };
    case "ViewerCountChanged":
      return { ...state, viewers: event.viewers };
    case "OrderPlaced":
      return { ...state, ticker: [event.message, ...state.ticker].slice(0, 5) };
    case "FlashDealOpened": {
      const deals = new Map(state.deals);
      deals.set(event.flashDealId, { remaining: event.remaining, priceVnd: event.priceVnd, open: true });
      return { ...state, deals };
    }
    case "FlashDealUpdated": {
      // Updates may arrive out of order: the lowest remaining is the latest.
      const deal = state.deals.get(event.flashDealId);
      if (!deal) return { ...state, mustRefetch: true };
      const deals = new Map(state.deals);
      deals.set(event.flashDealId, { ...deal, remaining: Math.min(deal.remaining, event.remaining) });
      return { ...state, deals };
    }
    case "FlashDealClosed": {
      const deal = state.deals.get(event.flashDealId);
      const deals = new Map(state.deals);
      if (deal) deals.set(event.flashDealId, { ...deal, open: false });
      return { ...state, deals };
    }
    case "EventsSkipped":
      return { ...state, mustRefetch: event.missed > 0 };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** Loads a show's page state; null when there is no such show. */
export async function loadShow(request: Request, id: string): Promise<ShowState | null> {
  const data = await request(StorefrontLivestreamDocument, { id });
  return data.livestream ? initialShowState(data.livestream) : null;
}

/** The checkout form, as the storefront collects it. */
export interface CheckoutForm {
  cartToken: string | null;
  recipientName: string;
  phone: string;
  province: string;
  ward: string;
  street: string;
  payByTransfer: boolean;
  fromShow: string | null;
}

/** Builds checkoutCart's variables; a required input left out fails the compile. */
export function checkoutVariables(form: CheckoutForm, idempotencyKey: string): StorefrontCheckoutCartMutationVariables {
  return {
    input: {
      cartToken: form.cartToken,
      idempotencyKey,
      livestreamId: form.fromShow,
      paymentMethod: form.payByTransfer ? "VIETQR" : "COD",
      shippingAddress: {
        recipientName: form.recipientName,
        phone: form.phone,
        province: form.province,
        ward: form.ward,
        street: form.street,
      },
    },
  };
}

/** What the confirmation page shows for each order of a checkout. */
export async function checkout(request: Request, form: CheckoutForm, idempotencyKey: string) {
  const placed = resultOf(
    (await request(StorefrontCheckoutCartDocument, checkoutVariables(form, idempotencyKey))).checkoutCart,
    "checkout",
  );
  return placed.orders.map((order) => ({
    number: order.number,
    cooperative: order.cooperative.name,
    totalVnd: order.totalVnd,
    qr: order.payment.vietqr?.imageUrl ?? null,
    transferMemo: order.payment.memo,
    lines: order.items.map((item) => `${item.quantity} × ${item.productName} (${item.variantName})`),
  }));
}

const trackingLabels: Record<OrderStatus, string> = {
  PENDING_PAYMENT: "Chờ chuyển khoản",
  PAID: "Đã thanh toán",
  CONFIRMED: "Đã xác nhận",
  PACKED: "Đã đóng gói",
  SHIPPED: "Đang giao",
  DELIVERED: "Đã giao",
  CANCELLED: "Đã huỷ",
  REFUND_PENDING: "Chờ hoàn tiền",
  REFUNDED: "Đã hoàn tiền",
};

/** The order tracking page for a guest: status label and parcel tracking,
 * or null when no order has that number and phone. */
export async function trackOrder(request: Request, number: string, phone: string) {
  const { orderByNumber: order } = await request(StorefrontOrderByNumberDocument, { number, phone });
  if (!order) return null;
  return {
    label: trackingLabels[order.status],
    parcel: order.carrier && order.trackingNumber ? `${order.carrier} ${order.trackingNumber}` : null,
    steps: order.history.map((entry) => ({ to: entry.toStatus ? trackingLabels[entry.toStatus] : null, at: entry.at })),
  };
}
