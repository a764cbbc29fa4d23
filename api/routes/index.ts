/** Every API route, in one table: mounted by createRouter, documented by openapi.ts, walked by the authorization test. */
import type { RouteDef } from '../routing';
import { accountRoutes } from './accounts';
import { accountFeedRoutes } from './account-feed';
import { adminRoutes } from './admin';
import { authRoutes } from './auth';
import { callRoutes } from './calls';
import { importRoutes } from './imports';
import { ingestionRoutes } from './ingestion';
import { metricRoutes } from './metrics';
import { paymentHoldRoutes } from './payment-holds';
import { policyRoutes } from './policies';
import { queueRoutes } from './queue';
import { recommendationRoutes } from './recommendations';
import { replyRoutes } from './replies';
import { sendRoutes } from './sends';
import { settingRoutes } from './settings';
import { streamRoutes } from './stream';

export const apiRoutes: RouteDef[] = [...authRoutes, ...adminRoutes, ...queueRoutes, ...accountRoutes, ...accountFeedRoutes, ...callRoutes, ...ingestionRoutes, ...paymentHoldRoutes, ...importRoutes, ...metricRoutes, ...policyRoutes, ...settingRoutes, ...recommendationRoutes, ...replyRoutes, ...sendRoutes, ...streamRoutes] as RouteDef[];
